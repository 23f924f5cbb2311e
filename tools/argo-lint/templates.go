package main

import (
	"context"
	"fmt"

	wfv1 "github.com/argoproj/argo-workflows/v4/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v4/workflow/templateresolution"
)

// templateIndex holds the WorkflowTemplates (per namespace) and
// ClusterWorkflowTemplates among the linted files, so that references between
// them resolve offline. It implements Argo's templateresolution getters.
type templateIndex struct {
	namespaced map[string]map[string]indexed[wfv1.WorkflowTemplate]
	cluster    map[string]indexed[wfv1.ClusterWorkflowTemplate]
}

type indexed[T any] struct {
	object *T
	file   string
}

func newTemplateIndex() *templateIndex {
	return &templateIndex{
		namespaced: map[string]map[string]indexed[wfv1.WorkflowTemplate]{},
		cluster:    map[string]indexed[wfv1.ClusterWorkflowTemplate]{},
	}
}

// add indexes m when it is a template. When one of that name is indexed
// already it keeps the first and returns its file and true.
func (t *templateIndex) add(m manifest) (string, bool) {
	switch obj := m.object.(type) {
	case *wfv1.WorkflowTemplate:
		byName := t.namespaced[m.namespace]
		if byName == nil {
			byName = map[string]indexed[wfv1.WorkflowTemplate]{}
			t.namespaced[m.namespace] = byName
		}
		if first, ok := byName[obj.Name]; ok {
			return first.file, true
		}
		byName[obj.Name] = indexed[wfv1.WorkflowTemplate]{object: obj, file: m.file}
	case *wfv1.ClusterWorkflowTemplate:
		if first, ok := t.cluster[obj.Name]; ok {
			return first.file, true
		}
		t.cluster[obj.Name] = indexed[wfv1.ClusterWorkflowTemplate]{object: obj, file: m.file}
	}
	return "", false
}

// namespace returns the getter Argo's validator uses for templateRefs of an
// object in that namespace.
func (t *templateIndex) namespace(ns string) templateresolution.WorkflowTemplateNamespacedGetter {
	return namespacedTemplates{namespace: ns, byName: t.namespaced[ns]}
}

// clusterTemplates is the getter for clusterScope templateRefs.
func (t *templateIndex) clusterTemplates() templateresolution.ClusterWorkflowTemplateGetter {
	return clusterTemplates(t.cluster)
}

type namespacedTemplates struct {
	namespace string
	byName    map[string]indexed[wfv1.WorkflowTemplate]
}

func (n namespacedTemplates) Get(_ context.Context, name string) (*wfv1.WorkflowTemplate, error) {
	if found, ok := n.byName[name]; ok {
		return found.object, nil
	}
	return nil, fmt.Errorf("WorkflowTemplate %q not found in namespace %q among the linted files", name, n.namespace)
}

type clusterTemplates map[string]indexed[wfv1.ClusterWorkflowTemplate]

func (c clusterTemplates) Get(_ context.Context, name string) (*wfv1.ClusterWorkflowTemplate, error) {
	if found, ok := c[name]; ok {
		return found.object, nil
	}
	return nil, fmt.Errorf("ClusterWorkflowTemplate %q not found among the linted files", name)
}
