// k8scheck decodes every object of the multi-document YAML files it is given
// strictly against the Kubernetes API types (an unknown or duplicate field is
// an error), then prints, as JSON, what the packaging tests compare with the
// binary: each container's ports, environment and probes.
//
// Usage: k8scheck FILE...   (exit 1 on the first object that does not decode)
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// The kinds the manifests and the chart render; any other kind is an error,
// so a new one is added here (and checked) rather than passed over.
func newObject(apiVersion, kind string) (any, bool) {
	switch apiVersion + "/" + kind {
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}, true
	case "v1/Service":
		return &corev1.Service{}, true
	case "apps/v1/StatefulSet":
		return &appsv1.StatefulSet{}, true
	case "policy/v1/PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, true
	case "monitoring.coreos.com/v1/ServiceMonitor":
		return &monitoringv1.ServiceMonitor{}, true
	}
	return nil, false
}

type probe struct {
	Kind string `json:"kind"`
	Path string `json:"path"`
	Port int    `json:"port"`
}

type container struct {
	Object string            `json:"object"`
	Name   string            `json:"name"`
	Ports  map[string]int    `json:"ports"`
	Env    map[string]string `json:"env"`
	Probes []probe           `json:"probes"`
	Args   []string          `json:"args"`
}

type summary struct {
	Objects    []string          `json:"objects"`
	Containers []container       `json:"containers"`
	ConfigMaps map[string]string `json:"configmaps"` // name/key -> content
}

// portNumber resolves a probe's port, by number or by the container port's name.
func portNumber(p intstr.IntOrString, ports map[string]int) (int, error) {
	if p.Type == intstr.Int {
		return p.IntValue(), nil
	}
	if n, ok := ports[p.StrVal]; ok {
		return n, nil
	}
	return 0, fmt.Errorf("probe port %q names no container port", p.StrVal)
}

func describe(s *summary, name string, spec *corev1.PodSpec) error {
	for _, c := range spec.Containers {
		out := container{Object: name, Name: c.Name, Ports: map[string]int{}, Env: map[string]string{}, Args: c.Args}
		for _, p := range c.Ports {
			out.Ports[p.Name] = int(p.ContainerPort)
		}
		for _, e := range c.Env {
			out.Env[e.Name] = e.Value
		}
		for kind, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
			if p == nil || p.HTTPGet == nil {
				continue
			}
			port, err := portNumber(p.HTTPGet.Port, out.Ports)
			if err != nil {
				return fmt.Errorf("%s: %v", name, err)
			}
			out.Probes = append(out.Probes, probe{Kind: kind, Path: p.HTTPGet.Path, Port: port})
		}
		s.Containers = append(s.Containers, out)
	}
	return nil
}

func check(s *summary, file string, doc []byte) error {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return err
	}
	if head.Kind == "" {
		return nil // an empty document (a template switched off)
	}
	obj, ok := newObject(head.APIVersion, head.Kind)
	if !ok {
		return fmt.Errorf("%s %s: kind not known to k8scheck", head.APIVersion, head.Kind)
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return fmt.Errorf("%s %s: %v", head.Kind, head.Metadata.Name, err)
	}
	name := head.Kind + "/" + head.Metadata.Name
	s.Objects = append(s.Objects, name)
	switch o := obj.(type) {
	case *appsv1.StatefulSet:
		return describe(s, name, &o.Spec.Template.Spec)
	case *corev1.ConfigMap:
		for k, v := range o.Data {
			s.ConfigMaps[o.Name+"/"+k] = v
		}
	}
	return nil
}

func main() {
	s := summary{Objects: []string{}, Containers: []container{}, ConfigMaps: map[string]string{}}
	for _, file := range os.Args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, doc := range bytes.Split(data, []byte("\n---")) {
			if strings.TrimSpace(string(doc)) == "" {
				continue
			}
			if err := check(&s, file, doc); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
				os.Exit(1)
			}
		}
	}
	json.NewEncoder(os.Stdout).Encode(s)
}
