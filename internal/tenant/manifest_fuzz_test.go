package tenant

import (
	"testing"
	"testing/fstest"

	suara "github.com/suara-id/suara"
)

// FuzzParseManifest: a manifest, however broken, is parsed or refused with
// an error, never a panic, both alone and as part of a bundle (where it is
// validated against the default categories and themes).
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
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err == nil && m == nil {
			t.Fatal("nil manifest without error")
		}
		fsys := fstest.MapFS{"tenants/fuzz.yaml": {Data: data}}
		if b, err := LoadBundle(fsys, "tenants"); err == nil && b == nil {
			t.Fatal("nil bundle without error")
		}
	})
}
