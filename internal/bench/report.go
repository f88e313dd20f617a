package bench

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
)

// RatioLevel is the concurrency the headline ratios and p99s are read at.
const RatioLevel = 16

// Print writes the table, then one name=value line per figure; the
// acceptance figures (submit_ratio, queue_ratio, submit_p99_ms,
// queue_p99_ms, rss_mb, errors) come last.
func (r *Report) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tconc\treqs\treq/s\tp50 ms\tp95 ms\tp99 ms\terrors\tcpu ms/req\trss MB\tpgbench tps\tratio\t")
	for _, x := range r.Results {
		if x.Skipped != "" {
			fmt.Fprintf(tw, "%s\t%d\tskipped\t-\t-\t-\t-\t-\t-\t-\t-\t-\t\n", x.Scenario, x.Concurrency)
			continue
		}
		pg, ratio := "-", "-"
		if x.PGBenchTPS > 0 {
			pg, ratio = fmt.Sprintf("%.0f", x.PGBenchTPS), fmt.Sprintf("%.2f", x.Ratio())
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%d\t%.2f\t%.0f\t%s\t%s\t\n", x.Scenario, x.Concurrency, x.Requests,
			x.RPS(), ms(x.Latency.P50), ms(x.Latency.P95), ms(x.Latency.P99), x.Errors,
			float64(x.CPUPerReq)/float64(1e6), float64(x.PeakRSS)/(1<<20), pg, ratio)
	}
	_ = tw.Flush()
	skipped := map[string]bool{}
	for _, x := range r.Results {
		if x.Skipped != "" && !skipped[x.Scenario] {
			skipped[x.Scenario] = true
			fmt.Fprintf(w, "%s skipped: %s\n", x.Scenario, x.Skipped)
		}
		if x.FirstError != "" {
			fmt.Fprintf(w, "first error in %s at %d: %s\n", x.Scenario, x.Concurrency, x.FirstError)
		}
	}
	fmt.Fprintln(w)
	errs := 0
	for _, x := range r.Results {
		errs += x.Errors
		if x.Skipped != "" {
			continue
		}
		fmt.Fprintf(w, "%s_c%d_rps=%.1f\n", x.Scenario, x.Concurrency, x.RPS())
		fmt.Fprintf(w, "%s_c%d_p99_ms=%d\n", x.Scenario, x.Concurrency, roundMS(x))
		if x.PGBenchTPS > 0 {
			fmt.Fprintf(w, "%s_c%d_pgbench_tps=%.1f\n", x.Scenario, x.Concurrency, x.PGBenchTPS)
		}
	}
	submit, queue := r.at(ScenarioSubmit, RatioLevel), r.at(ScenarioQueue, RatioLevel)
	fmt.Fprintf(w, "submit_ratio=%.2f\n", submit.Ratio())
	fmt.Fprintf(w, "queue_ratio=%.2f\n", queue.Ratio())
	fmt.Fprintf(w, "submit_p99_ms=%d\n", roundMS(submit))
	fmt.Fprintf(w, "queue_p99_ms=%d\n", roundMS(queue))
	fmt.Fprintf(w, "rss_mb=%d\n", int64(math.Ceil(float64(r.PeakRSS)/(1<<20))))
	fmt.Fprintf(w, "errors=%d\n", errs)
}

func roundMS(x Result) int64 { return int64(math.Ceil(ms(x.Latency.P99))) }

// at is the result of scenario at concurrency c (zero if it did not run).
func (r *Report) at(scenario string, c int) Result {
	for _, x := range r.Results {
		if x.Scenario == scenario && x.Concurrency == c {
			return x
		}
	}
	return Result{Scenario: scenario, Concurrency: c}
}
