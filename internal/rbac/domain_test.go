package rbac

import "testing"

func TestMatchDomain(t *testing.T) {
	tests := []struct {
		domain, pattern string
		want            bool
	}{
		// A sub-tree pattern covers its base and every descendant.
		{"spn", "spn/*", true},
		{"spn/jabar", "spn/*", true},
		{"spn/jabar/bekasi/puk-maju-jaya", "spn/*", true},
		{"spn/jabar", "spn/jabar/*", true},
		{"spn/jabar/bekasi", "spn/jabar/*", true},
		{"spn/jabar/bekasi/puk-maju-jaya", "spn/jabar/bekasi/puk-maju-jaya/*", true},
		{"spn/jabar/bekasi/puk-maju-jaya/afdeling-1", "spn/jabar/bekasi/puk-maju-jaya/*", true},

		// Prefix traps: the match is on whole segments.
		{"spn/jabarx", "spn/jabar/*", false},
		{"spn/jabar-barat", "spn/jabar/*", false},
		{"spnx/jabar", "spn/jabar/*", false},
		{"spnx", "spn/*", false},
		{"spn-x", "spn/*", false},
		{"spnx/jabar", "spn/*", false},
		{"spn/jabar/bekasi/puk-maju-jaya-2", "spn/jabar/bekasi/puk-maju-jaya/*", false},

		// Never upwards or sideways.
		{"spn", "spn/jabar/*", false},
		{"spn/jateng", "spn/jabar/*", false},
		{"spn/jabar/bekasi", "spn/jabar/bekasi/puk-maju-jaya/*", false},
		{"garteks/jabar", "spn/jabar/*", false},
		{"garteks", "spn/*", false},

		// The platform is matched exactly, and never by a tenant pattern.
		{"platform", "platform", true},
		{"platform", "spn/*", false},
		{"platform", "platform/*", false},
		{"platformx", "platform", false},
		{"spn", "platform", false},

		// Without the "/*" suffix a pattern is a plain domain.
		{"spn/jabar", "spn/jabar", true},
		{"spn/jabar/bekasi", "spn/jabar", false},
		{"spn/jabar", "spn/jab*", false},
		{"spn", "*", false},
		{"", "/*", false},
		{"spn", "", false},
		{"/x", "/*", false},
	}
	for _, tt := range tests {
		if got := MatchDomain(tt.domain, tt.pattern); got != tt.want {
			t.Errorf("MatchDomain(%q, %q) = %v, want %v", tt.domain, tt.pattern, got, tt.want)
		}
	}
}

func TestValidDomain(t *testing.T) {
	tests := []struct {
		d    string
		want bool
	}{
		{"platform", true},
		{"spn", true},
		{"spn/jabar/bekasi/puk-maju-jaya", true},
		{"fsp-tsk/jateng", true},
		{"", false},
		{"spn/*", false},
		{"*", false},
		{"spn/", false},
		{"/spn", false},
		{"spn//jabar", false},
		{"SPN/jabar", false},
		{"spn/jabar bekasi", false},
		{"spn/../garteks", false},
		{"platform/spn", false}, // "platform" is not a tenant slug
		{"platformx", true},
	}
	for _, tt := range tests {
		if got := ValidDomain(tt.d); got != tt.want {
			t.Errorf("ValidDomain(%q) = %v, want %v", tt.d, got, tt.want)
		}
	}
}
