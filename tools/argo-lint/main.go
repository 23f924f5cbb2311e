// Command argo-lint runs Argo Workflows' own validation (the controller's
// workflow/validate package) over manifests on disk, without a cluster.
//
// Usage: argo-lint [-namespace NS] PATH...
//
// Each PATH is a file or a directory (walked for .yaml, .yml and .json files);
// a file may hold several YAML documents. Every Workflow, WorkflowTemplate,
// CronWorkflow and ClusterWorkflowTemplate found is validated. Templates named
// by workflowTemplateRef / templateRef resolve against the WorkflowTemplates and
// ClusterWorkflowTemplates among the given paths, as `argo lint --offline` does.
//
// Output: one line per problem, "FILE: KIND/NAME: MESSAGE", MESSAGE being
// Argo's own. Exit status: 0 all valid, 1 something invalid, 2 usage or read
// error (including a path with nothing to lint).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/argoproj/argo-workflows/v4/util/logging"
)

const (
	exitValid   = 0
	exitInvalid = 1
	exitUsage   = 2
)

func main() {
	// Argo's DAG validation allocates a scope map per task; for a short-lived process a
	// larger heap target saves about a quarter of the CPU time spent collecting it.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("argo-lint", flag.ContinueOnError)
	flags.SetOutput(stderr)
	namespace := flags.String("namespace", "", "namespace for objects that name none (templates resolve within a namespace)")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: argo-lint [-namespace NS] PATH...")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return exitUsage
	}
	if flags.NArg() == 0 {
		flags.Usage()
		return exitUsage
	}
	// Argo's packages log through a logger carried by the context; only its
	// errors are worth showing next to the problems this command reports.
	ctx := logging.WithLogger(context.Background(),
		logging.NewSlogLoggerCustom(logging.Error, logging.Text, stderr))

	set, err := loadManifests(ctx, flags.Args(), *namespace)
	if err != nil {
		fmt.Fprintf(stderr, "argo-lint: %s\n", err)
		return exitUsage
	}
	problems := set.validate(ctx)
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		return exitInvalid
	}
	return exitValid
}

// problem is one finding, printed as one line.
type problem struct {
	file    string
	kind    string
	name    string
	message string
}

func (p problem) String() string {
	// Argo's messages are occasionally several lines; one problem is one line.
	msg := strings.Join(strings.Fields(p.message), " ")
	return fmt.Sprintf("%s: %s/%s: %s", p.file, p.kind, p.name, msg)
}
