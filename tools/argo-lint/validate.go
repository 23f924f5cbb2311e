package main

import (
	"context"
	"fmt"

	wfv1 "github.com/argoproj/argo-workflows/v4/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v4/workflow/common"
	"github.com/argoproj/argo-workflows/v4/workflow/validate"
)

// validate runs Argo's validator on every manifest read, with the options
// `argo lint` uses, and returns the problems in the order the files were read.
func (s *manifestSet) validate(ctx context.Context) []problem {
	problems := append([]problem(nil), s.problems...)
	for _, m := range s.manifests {
		report := func(message string) {
			problems = append(problems, problem{file: m.file, kind: kindOf(m.object), name: nameOf(m), message: message})
		}
		if m.duplicateOf != "" {
			report(fmt.Sprintf("duplicate %s %q in namespace %q (first in %s): references to it cannot tell the two apart",
				kindOf(m.object), m.object.GetName(), m.namespace, m.duplicateOf))
		}
		err := m.parseErr
		if err == nil {
			err = s.validateOne(ctx, m)
		}
		if err != nil {
			report(err.Error())
		}
	}
	return problems
}

func (s *manifestSet) validateOne(ctx context.Context, m manifest) error {
	namespaced := s.templates.namespace(m.namespace)
	cluster := s.templates.clusterTemplates()
	lint := validate.ValidateOpts{Lint: true}
	switch obj := m.object.(type) {
	case *wfv1.Workflow:
		return validate.ValidateWorkflow(ctx, namespaced, cluster, obj, nil, lint)
	case *wfv1.WorkflowTemplate:
		if err := validate.ValidateWorkflowTemplate(ctx, namespaced, cluster, obj, nil, lint); err != nil {
			return err
		}
		// What `argo submit --from workflowtemplate/NAME` creates: a Workflow that only
		// references the template, validated through the reference as Argo's server
		// does (parameters without a value are still allowed: they come with -p).
		submitted := common.NewWorkflowFromWorkflowTemplate(obj.Name, false)
		submitted.Namespace = m.namespace
		if err := validate.ValidateWorkflow(ctx, namespaced, cluster, submitted, nil, lint); err != nil {
			return fmt.Errorf("as submitted with `argo submit --from workflowtemplate/%s`: %w", obj.Name, err)
		}
		return nil
	case *wfv1.CronWorkflow:
		return validate.ValidateCronWorkflow(ctx, namespaced, cluster, obj, nil)
	case *wfv1.ClusterWorkflowTemplate:
		return validate.ValidateClusterWorkflowTemplate(ctx, namespaced, cluster, obj, nil, lint)
	}
	return nil
}
