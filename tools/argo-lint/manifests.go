package main

import (
	"context"
	"fmt"
	"os"

	wf "github.com/argoproj/argo-workflows/v4/pkg/apis/workflow"
	wfv1 "github.com/argoproj/argo-workflows/v4/pkg/apis/workflow/v1alpha1"
	fileutil "github.com/argoproj/argo-workflows/v4/util/file"
	"github.com/argoproj/argo-workflows/v4/workflow/common"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// manifest is one Argo object read from a file, or the error Argo's strict
// parser gave for it (an unknown field, a wrong type).
type manifest struct {
	file      string
	index     int // position among the file's Argo objects, for unnamed ones
	object    metav1.Object
	parseErr  error
	namespace string
	// duplicateOf is the file of an earlier template of the same kind, name
	// and namespace: references to that name cannot tell the two apart.
	duplicateOf string
}

// manifestSet is everything read from the given paths, plus the templates
// indexed for reference resolution.
type manifestSet struct {
	manifests []manifest
	templates *templateIndex
	problems  []problem // documents Argo could not parse at all
}

// loadManifests reads every manifest under paths with Argo's own walker and
// parser (strict, as `argo lint` is by default). It fails when a path cannot be
// read or a path holds no Argo object at all.
func loadManifests(ctx context.Context, paths []string, defaultNamespace string) (*manifestSet, error) {
	set := &manifestSet{templates: newTemplateIndex()}
	for _, root := range paths {
		if _, err := os.Stat(root); err != nil {
			return nil, err
		}
		before := len(set.manifests)
		err := fileutil.WalkManifests(ctx, root, func(path string, data []byte) error {
			for i, parsed := range common.ParseObjects(ctx, data, true) {
				set.add(manifest{file: path, index: i, object: parsed.Object, parseErr: parsed.Err}, defaultNamespace)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(set.manifests) == before {
			return nil, fmt.Errorf("%s: no Workflow, WorkflowTemplate or CronWorkflow found", root)
		}
	}
	return set, nil
}

func (s *manifestSet) add(m manifest, defaultNamespace string) {
	if m.object == nil {
		// Argo's parser returns no object when a document declaring a kind is
		// not even valid YAML; the error is still a problem of that file.
		if m.parseErr != nil {
			s.problems = append(s.problems, problem{file: m.file, kind: "?", name: fmt.Sprintf("document #%d", m.index+1), message: m.parseErr.Error()})
		}
		return
	}
	if !lintable(m.object) {
		return
	}
	m.namespace = m.object.GetNamespace()
	if m.namespace == "" {
		m.namespace = defaultNamespace
	}
	if m.parseErr == nil {
		if first, dup := s.templates.add(m); dup {
			m.duplicateOf = first
		}
	}
	s.manifests = append(s.manifests, m)
}

// lintable says whether Argo validates objects of this kind; other kinds in
// the same files (ConfigMaps, Secrets, WorkflowEventBindings) are skipped as
// `argo lint` skips them.
func lintable(obj metav1.Object) bool {
	switch obj.(type) {
	case *wfv1.Workflow, *wfv1.WorkflowTemplate, *wfv1.CronWorkflow, *wfv1.ClusterWorkflowTemplate:
		return true
	}
	return false
}

func kindOf(obj metav1.Object) string {
	switch obj.(type) {
	case *wfv1.Workflow:
		return wf.WorkflowKind
	case *wfv1.WorkflowTemplate:
		return wf.WorkflowTemplateKind
	case *wfv1.CronWorkflow:
		return wf.CronWorkflowKind
	case *wfv1.ClusterWorkflowTemplate:
		return wf.ClusterWorkflowTemplateKind
	}
	return "?"
}

func nameOf(m manifest) string {
	switch {
	case m.object.GetName() != "":
		return m.object.GetName()
	case m.object.GetGenerateName() != "":
		return m.object.GetGenerateName()
	}
	return fmt.Sprintf("object #%d", m.index+1)
}
