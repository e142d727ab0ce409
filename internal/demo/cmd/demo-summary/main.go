// Command demo-summary prints the summary of the demo's plan and writes its
// reports and charts:
//
//	terraform show -json plan.tfplan | demo-summary -out examples/demo/out
//	terraform output -json | demo-summary -plan plan.json -verify
//	demo-summary -plan plan.json -guarded http://127.0.0.1:PORT   (after the apply, against the AWS sandbox)
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/demo"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo-summary:", err)
		os.Exit(1)
	}
}

func run() error {
	planPath := flag.String("plan", "", "plan JSON file (default: standard input)")
	out := flag.String("out", "", "folder to write reports and charts to")
	verify := flag.Bool("verify", false, "read `terraform output -json` on standard input and check the summary against it")
	noChanges := flag.Bool("no-changes", false, "fail unless the plan changes no resource")
	guarded := flag.String("guarded", "", "AWS sandbox `URL`: check on its request log that every change to the plan's topology targets followed an available guard snapshot")
	flag.Parse()

	in := os.Stdin
	if *planPath != "" {
		f, err := os.Open(*planPath)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	if *noChanges {
		pending, err := demo.PendingChanges(in)
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			return fmt.Errorf("the plan still changes %d resource(s): %s", len(pending), strings.Join(pending, "; "))
		}
		fmt.Println("    no resource changes: the topology matches the configuration")
		return nil
	}
	s, err := demo.ParsePlan(in)
	if err != nil {
		return err
	}
	if *guarded != "" {
		lines, err := demo.CheckGuarded(*guarded, s)
		if err != nil {
			return fmt.Errorf("guard invariant: %w", err)
		}
		fmt.Println("    guard invariant held (sandbox request log):")
		for _, l := range lines {
			fmt.Println("      " + l)
		}
		return nil
	}
	if *verify {
		if err := demo.Verify(s, os.Stdin); err != nil {
			return fmt.Errorf("the summary does not match terraform output: %w", err)
		}
		fmt.Println("summary matches terraform output")
		return nil
	}
	demo.Print(os.Stdout, s)
	if *out != "" {
		paths, err := demo.WriteFiles(*out, s)
		if err != nil {
			return err
		}
		fmt.Printf("  wrote %d files to %s (reports, charts, alert rules, Infracost usage)\n", len(paths), *out)
	}
	return nil
}
