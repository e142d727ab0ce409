// Command sandbox runs the RDS, CloudWatch and Application Auto Scaling emulator as a process, for the
// offline demo and for scripts:
//
//	go run ./internal/sandbox/cmd/sandbox -addr 127.0.0.1:4599 -scenario demo -state /tmp/sandbox.json
//
// By default the virtual clock starts at the wall-clock time (so a provider
// reading CloudWatch "up to now" sees the 28 days of history) and runs 30×
// faster than real time (a 25-minute Multi-AZ conversion takes 50 s). With
// -state, the RDS state, the clock and PutMetricData points survive restarts
// (e.g. between `terraform plan` and `terraform apply`).
//
// It prints the base URL on stdout once it is listening and stops cleanly on
// SIGINT/SIGTERM (writing the state file, if any).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4599", "listen address (host:port; port 0 = random), loopback only: 127.0.0.1, ::1 or localhost")
	scenario := fs.String("scenario", "demo", "scenario name: one of "+strings.Join(sandbox.ScenarioNames, ", "))
	state := fs.String("state", "", "JSON state file: loaded at start if it exists, rewritten after every change")
	now := fs.String("now", "wall", `virtual clock start: "wall" (current time, truncated to the minute), "epoch" (the fixed scenario epoch) or RFC 3339`)
	speed := fs.Float64("speed", 30, "virtual seconds per real second (0 = frozen; 60 = a minute per second)")
	step := fs.Duration("step", 0, "advance the virtual clock by this much before every RDS request (e.g. 1m)")
	epHost := fs.String("endpoint-host", "", "report this host as every DB instance endpoint address (e.g. 127.0.0.1)")
	epPort := fs.Int("endpoint-port", 0, "report this port as every DB instance endpoint port")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var start time.Time
	switch *now {
	case "wall":
		start = time.Now().UTC().Truncate(time.Minute)
	case "epoch", "":
	default:
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			return fmt.Errorf("-now: %w", err)
		}
		start = t
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	srv, err := sandbox.Start(sandbox.Options{Addr: *addr, ScenarioName: *scenario, StateFile: *state, Now: start,
		Speed: *speed, StepPerRDSRequest: *step, EndpointHost: *epHost, EndpointPort: int32(*epPort)})
	if err != nil {
		return err
	}
	fmt.Println(srv.URL())
	fmt.Fprintf(os.Stderr, "sandbox: scenario %s, virtual now %s, speed %gx, admin %s/_sandbox/health\n",
		srv.Scenario().Name, srv.Now().Format(time.RFC3339), *speed, srv.URL())
	fmt.Fprintf(os.Stderr, "sandbox: point AWS clients at it with:\n  export %s\n", strings.Join(srv.Env(), " "))
	<-sig
	return srv.Close()
}
