package bench

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"
)

// RatioLevel is the concurrency the headline ratios and p99s are read at.
const RatioLevel = 16

// Print writes the table, then one name=value line per figure; the
// headline figures come last: submit_c1_ratio, the spreads (half the
// interquartile range of the rounds' ratios), pgbench's p99s, then
// submit_ratio, queue_ratio (medians of the rounds at concurrency 16),
// submit_p99_ms, queue_p99_ms, rss_mb, errors.
func (r *Report) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tconc\treqs\treq/s\tp50 ms\tp95 ms\tp99 ms\terrors\tcpu ms/req\trss MB\tpgbench tps\tpgbench p99\tratio\t±\t")
	for _, x := range r.Results {
		if x.Skipped != "" {
			fmt.Fprintf(tw, "%s\t%d\tskipped\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t\n", x.Scenario, x.Concurrency)
			continue
		}
		pg, pg99, ratio, spread := "-", "-", "-", "-"
		if x.PGBenchTPS > 0 {
			pg, ratio = fmt.Sprintf("%.0f", x.PGBenchTPS), fmt.Sprintf("%.2f", x.Ratio())
			pg99, spread = fmt.Sprintf("%.2f", ms(x.PGBenchP99)), fmt.Sprintf("%.2f", x.RatioSpread())
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%d\t%.2f\t%.0f\t%s\t%s\t%s\t%s\t\n", x.Scenario, x.Concurrency, x.Requests,
			x.RPS(), ms(x.Latency.P50), ms(x.Latency.P95), ms(x.Latency.P99), x.Errors,
			float64(x.CPUPerReq)/float64(1e6), float64(x.PeakRSS)/(1<<20), pg, pg99, ratio, spread)
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
			fmt.Fprintf(w, "%s_c%d_pgbench_p99_ms=%d\n", x.Scenario, x.Concurrency, ceilMS(x.PGBenchP99))
			if x.Scenario != ScenarioSubmit || x.Concurrency != 1 { // submit_c1_ratio comes with the headline figures
				fmt.Fprintf(w, "%s_c%d_ratio=%.2f\n", x.Scenario, x.Concurrency, x.Ratio())
			}
			fmt.Fprintf(w, "%s_c%d_ratio_spread=%.2f\n", x.Scenario, x.Concurrency, x.RatioSpread())
		}
	}
	submit, queue := r.at(ScenarioSubmit, RatioLevel), r.at(ScenarioQueue, RatioLevel)
	fmt.Fprintf(w, "submit_c1_ratio=%.2f\n", r.at(ScenarioSubmit, 1).Ratio())
	fmt.Fprintf(w, "submit_ratio_spread=%.2f\n", submit.RatioSpread())
	fmt.Fprintf(w, "queue_ratio_spread=%.2f\n", queue.RatioSpread())
	fmt.Fprintf(w, "submit_pgbench_p99_ms=%d\n", ceilMS(submit.PGBenchP99))
	fmt.Fprintf(w, "queue_pgbench_p99_ms=%d\n", ceilMS(queue.PGBenchP99))
	fmt.Fprintf(w, "submit_ratio=%.2f\n", submit.Ratio())
	fmt.Fprintf(w, "queue_ratio=%.2f\n", queue.Ratio())
	fmt.Fprintf(w, "submit_p99_ms=%d\n", roundMS(submit))
	fmt.Fprintf(w, "queue_p99_ms=%d\n", roundMS(queue))
	fmt.Fprintf(w, "rss_mb=%d\n", int64(math.Ceil(float64(r.PeakRSS)/(1<<20))))
	fmt.Fprintf(w, "errors=%d\n", errs)
}

func roundMS(x Result) int64 { return ceilMS(x.Latency.P99) }

func ceilMS(d time.Duration) int64 { return int64(math.Ceil(ms(d))) }

// at is the result of scenario at concurrency c (zero if it did not run).
func (r *Report) at(scenario string, c int) Result {
	for _, x := range r.Results {
		if x.Scenario == scenario && x.Concurrency == c {
			return x
		}
	}
	return Result{Scenario: scenario, Concurrency: c}
}
