package auth

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// broader is the rule behind every grant, revocation and account action
// of one staff member over another (issue 20).
func TestBroaderRole(t *testing.T) {
	cases := []struct {
		held, heldPath, role, path string
		want                       bool
	}{
		{"federation_admin", "spn", "federation_admin", "spn", true}, // only a federation admin makes one
		{"branch_admin", "spn", "federation_admin", "spn", false},    // the attack: a branch admin at the root
		{"branch_admin", "spn", "branch_admin", "spn", false},        // sideways
		{"branch_admin", "spn", "branch_admin", "spn/jabar", true},   // same role, strictly above
		{"branch_admin", "spn", "case_officer", "spn", true},         // lower role, same branch
		{"branch_admin", "spn/jabar", "case_officer", "spn/jateng", false},
		{"branch_admin", "spn/jabar", "case_officer", "spn/jabarx", false}, // a prefix is not a parent
		{"branch_admin", "spn/jabar", "case_officer", "spn", false},        // below the branch
		{"case_officer", "spn", "case_officer", "spn/jabar", true},
		{"case_officer", "spn", "branch_admin", "spn/jabar", false},
		{"branch_admin", "spn", "worker", "spn", true},
	}
	for _, c := range cases {
		if got := broader(c.held, c.heldPath, c.role, c.path); got != c.want {
			t.Errorf("%s at %s over %s at %s: %t, want %t", c.held, c.heldPath, c.role, c.path, got, c.want)
		}
	}
}

// A TOTP code belongs to one 30-second step, with one step of skew: what
// useTOTP records so a code is good once.
func TestTOTPStep(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXP"
	now := time.Date(2026, 12, 6, 10, 0, 15, 0, time.UTC)
	cur := now.Unix() / 30
	for _, d := range []int64{-1, 0, 1} {
		code, err := totp.GenerateCode(secret, time.Unix((cur+d)*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		if got := totpStep(code, secret, now); got != cur+d {
			t.Errorf("step %+d: got %d, want %d", d, got, cur+d)
		}
	}
	old, _ := totp.GenerateCode(secret, now.Add(-90*time.Second))
	if totpStep(old, secret, now) != 0 || totpStep("12345", secret, now) != 0 || totpStep("123456", "", now) != 0 {
		t.Fatal("an old or malformed code matched")
	}
}
