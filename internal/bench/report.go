package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes rep as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("bench: write report: %w", err)
	}
	return nil
}

// WriteText writes rep as a table for people.
func (rep *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "hoard bench %s: %s, %d workers, %.1fs measured", rep.Workload, rep.describeObjects(), rep.Concurrency, rep.Seconds)
	if rep.WarmupSeconds > 0 {
		fmt.Fprintf(&b, " after %.1fs warm-up", rep.WarmupSeconds)
	}
	fmt.Fprintf(&b, "\nendpoint %s, bucket %s, prefix %s/\n\n", rep.Endpoint, rep.Bucket, rep.Prefix)
	items := false
	for _, s := range rep.Stats {
		items = items || s.Items > 0
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "op\tops\terrors\tops/s\tMiB/s\t"
	if items {
		head += "items/s\t"
	}
	fmt.Fprintln(tw, head+"p50 ms\tp90 ms\tp99 ms\tmax ms\t")
	for _, s := range rep.Stats {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.2f\t", s.Op, s.Ops, s.Errors, s.OpsPerSec, s.MiBPerSec)
		if items {
			fmt.Fprintf(tw, "%.0f\t", s.ItemsPerSec)
		}
		l := s.Latency
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max))
	}
	tw.Flush()
	b.WriteString("\n" + rep.Resources.describe() + "\n")
	for _, s := range rep.Stats {
		if s.FirstError != "" && s.Op != "TOTAL" {
			fmt.Fprintf(&b, "first %s error: %s\n", s.Op, s.FirstError)
		}
	}
	for _, wmsg := range rep.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", wmsg)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (rep *Report) describeObjects() string {
	size := formatSizeRange(rep.SizeMin, rep.SizeMax)
	switch {
	case rep.Workload == WorkloadMultipart:
		return fmt.Sprintf("%s objects in %s parts", size, FormatSize(rep.PartSize))
	case rep.Workload == WorkloadMixed:
		return fmt.Sprintf("%s objects, %d prepared, mix %s", size, rep.Objects, rep.Mix)
	case rep.Objects > 0 && rep.VersionsPerKey > 1:
		return fmt.Sprintf("%d prepared %s objects x %d versions, versioned bucket", rep.Objects, size, rep.VersionsPerKey)
	case rep.Objects > 0 && rep.Versioning:
		return fmt.Sprintf("%d prepared %s objects, versioned bucket", rep.Objects, size)
	case rep.Objects > 0:
		return fmt.Sprintf("%d prepared %s objects", rep.Objects, size)
	case rep.Versioning:
		return size + " objects, versioned bucket"
	}
	return size + " objects"
}

// ms formats milliseconds with three significant digits or so.
func ms(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func (r Resources) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "generator CPU %.0f%% of a core", r.GeneratorCPU)
	if r.ServerCPU > 0 || r.ServerRSSMiB > 0 {
		fmt.Fprintf(&b, "; server CPU %.0f%%, RSS max %.0f MiB (lifetime peak %.0f MiB)", r.ServerCPU, r.ServerRSSMiB, r.ServerPeakMiB)
	}
	fmt.Fprintf(&b, "; machine (%d cores) busy %.0f%%, iowait %.0f%%", r.Cores, r.MachineBusy, r.IOWait)
	return b.String()
}
