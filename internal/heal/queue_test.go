package heal

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestHealQueueBounded(t *testing.T) {
	t.Parallel()
	q := NewQueue(3)
	for _, k := range []string{"a", "b", "a", "c", "d", "e"} {
		q.Push("bkt", k, false)
	}
	q.Push("bkt", "b", true)
	if queued, dropped := q.Stats(); queued != 3 || dropped != 2 {
		t.Fatalf("queue: got %d queued, %d dropped; want 3 and 2", queued, dropped)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var got []Queued
	for range 3 {
		h, err := q.Pop(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h)
	}
	if fmt.Sprint(got) != "[{bkt a false} {bkt b true} {bkt c false}]" {
		t.Errorf("popped: got %v, want a, b (deep), c", got)
	}
	if _, err := q.Pop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("pop of an empty queue: got %v, want the context's deadline", err)
	}
}
