// composecheck loads a compose file with compose-go, the loader and schema
// validation docker compose itself uses, and prints each service's image,
// command and depends_on conditions as JSON; an invalid file exits 1.
// Usage: composecheck FILE
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

type service struct {
	Image     string            `json:"image"`
	Command   []string          `json:"command"`
	DependsOn map[string]string `json:"depends_on"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: composecheck FILE")
		os.Exit(2)
	}
	opts, err := cli.NewProjectOptions([]string{os.Args[1]}, cli.WithName("composecheck"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := map[string]service{}
	for name, s := range p.Services {
		deps := map[string]string{}
		for dep, d := range s.DependsOn {
			deps[dep] = d.Condition
		}
		out[name] = service{Image: s.Image, Command: s.Command, DependsOn: deps}
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
