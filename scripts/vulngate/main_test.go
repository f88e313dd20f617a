package main

import (
	"io"
	"strings"
	"testing"
)

// A stream as govulncheck -format json writes it: a called vulnerability
// with a fix fails; called without a fix, imported-only and required-only
// ones are listed.
func TestGate(t *testing.T) {
	stream := `
{"config":{"protocol_version":"v1.0.0","scanner_name":"govulncheck"}}
{"osv":{"id":"GO-1","summary":"fixable and called"}}
{"osv":{"id":"GO-2","summary":"called, no fix"}}
{"osv":{"id":"GO-3","summary":"imported only"}}
{"finding":{"osv":"GO-1","fixed_version":"v0.60.0","trace":[{"module":"golang.org/x/net","version":"v0.46.0","package":"golang.org/x/net/html"}]}}
{"finding":{"osv":"GO-1","fixed_version":"v0.60.0","trace":[{"module":"golang.org/x/net","version":"v0.46.0","package":"golang.org/x/net/html","function":"Parse"},{"module":"github.com/suara-id/suara","package":"github.com/suara-id/suara/internal/web","function":"render","position":{"filename":"internal/web/render.go","line":12}}]}}
{"finding":{"osv":"GO-2","trace":[{"module":"example.com/m","version":"v1.0.0","package":"example.com/m/api","function":"Do"}]}}
{"finding":{"osv":"GO-3","fixed_version":"v2.0.0","trace":[{"module":"example.com/n","version":"v1.0.0","package":"example.com/n/p"}]}}
{"finding":{"osv":"GO-4","fixed_version":"v3.0.0","trace":[{"module":"example.com/o","version":"v1.0.0"}]}}
`
	fs, err := read(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if got := report(&b, fs); got != 1 {
		t.Fatalf("%d failing findings, want 1:\n%s", got, b.String())
	}
	out := b.String()
	for _, want := range []string{
		"GO-1 called   golang.org/x/net@v0.46.0 (fixed: v0.60.0)  <- CALLED, FIX AVAILABLE",
		"trace: github.com/suara-id/suara/internal/web.render (internal/web/render.go:12) -> golang.org/x/net/html.Parse",
		"GO-2 called   example.com/m@v1.0.0 (fixed: no fix)\n",
		"GO-3 imported",
		"GO-4 required",
		"2 called (1 with a fix), 1 in imported packages only, 1 in required modules only",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if got := report(io.Discard, fs[1:]); got != 0 {
		t.Errorf("without the fixable called finding, %d failing", got)
	}
}
