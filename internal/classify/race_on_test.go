//go:build race

package classify

// raceEnabled reports whether the race detector is on; it slows training
// about tenfold, so timing assertions are skipped under it.
const raceEnabled = true
