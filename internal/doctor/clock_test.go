package doctor

import (
	"strings"
	"testing"
	"time"
)

// The database clock cannot be moved in a test; the judgement is tested on
// the measured skew.
func TestClockSkewJudgement(t *testing.T) {
	for _, tc := range []struct {
		skew   time.Duration
		status Status
		detail string
	}{
		{0, OK, "0s ahead of"},
		{1500 * time.Millisecond, OK, "1.5s ahead of"},
		{-MaxClockSkew, OK, "2s behind"},
		{MaxClockSkew + time.Millisecond, Warn, "2.001s ahead of"},
		{-5 * time.Second, Warn, "5s behind"},
	} {
		r := clockResult(tc.skew)
		if r.Status != tc.status || !strings.Contains(r.Detail, tc.detail) {
			t.Errorf("skew %s: %s %q, want %s containing %q", tc.skew, r.Status, r.Detail, tc.status, tc.detail)
		}
		if (r.Status == Warn) != strings.Contains(r.Fix, "NTP") {
			t.Errorf("skew %s: fix %q", tc.skew, r.Fix)
		}
	}
}

func TestSecurityInvokerOption(t *testing.T) {
	for opts, want := range map[string]bool{
		"":                      false,
		"security_invoker=true": true,
		"security_barrier=true,security_invoker=on": true,
		"security_invoker=false":                    false,
		"security_barrier=true":                     false,
	} {
		if got := securityInvoker(opts); got != want {
			t.Errorf("securityInvoker(%q) = %t, want %t", opts, got, want)
		}
	}
}
