package wait_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/wait"
)

func ExampleWaiter_Wait() {
	states := []string{"creating", "creating", "available"}
	i := 0
	w := wait.Waiter[int]{
		Description: "DB snapshot rs-guard-example",
		Pending:     []string{"creating"},
		Target:      []string{"available"},
		MinInterval: time.Millisecond,
		MaxInterval: 4 * time.Millisecond,
		Refresh: func(context.Context) (int, string, error) {
			s := states[i]
			i++
			return i, s, nil
		},
	}
	polls, err := w.Wait(context.Background())
	fmt.Println(polls, err)
	// Output: 3 <nil>
}
