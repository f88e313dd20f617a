package tenant

import (
	"testing"

	suara "github.com/suara-id/suara"
)

// FuzzParseManifest: a manifest, however broken, is parsed or refused with
// an error, never a panic, and validating it never panics either.
func FuzzParseManifest(f *testing.F) {
	for _, name := range []string{"tenants/spn.yaml", "tenants/garteks.yaml"} {
		if b, err := suara.TenantsFS.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{"", "slug: x", "slug: [", "org:\n  children:\n    - slug: a\n      children: [{slug: a}]",
		"slug: x\nunknown: 1", "&a [*a, *a, *a]", "slug: \"\\u0000\"", "categories:\n  add: [{slug: '../x'}]"} {
		f.Add([]byte(s))
	}
	// The real bundle (taxonomy, themes) is loaded once; each input is
	// validated against it as LoadBundle would.
	bundle, err := LoadBundle(suara.TenantsFS, "tenants")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		if m == nil {
			t.Fatal("nil manifest without error")
		}
		_ = bundle.validate(m)
	})
}
