package web

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/suara-id/suara"
)

// Themes that override no template share the base pages; a theme that
// overrides one renders its own version of that page and the base's others.
func TestThemesShareParsedPages(t *testing.T) {
	themesRoot, err := fs.Sub(suara.ThemesFS, "themes")
	if err != nil {
		t.Fatal(err)
	}
	def, err := fs.ReadFile(themesRoot, "default/theme.yaml")
	if err != nil {
		t.Fatal(err)
	}
	logo, _ := fs.ReadFile(themesRoot, "default/logo.svg")
	favicon, _ := fs.ReadFile(themesRoot, "default/favicon.svg")
	themes := fstest.MapFS{}
	for _, dir := range []string{"default", "plain", "custom"} {
		themes[dir+"/theme.yaml"] = &fstest.MapFile{Data: def}
		themes[dir+"/logo.svg"] = &fstest.MapFile{Data: logo}
		themes[dir+"/favicon.svg"] = &fstest.MapFile{Data: favicon}
	}
	themes["custom/templates/login.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}<p>custom login page</p>{{end}}`)}

	loaded, err := loadThemes(themes, templatesFS)
	if err != nil {
		t.Fatal(err)
	}
	if loaded["plain"].pages["login"] != loaded["default"].pages["login"] {
		t.Error("a theme without overrides parsed its own copy of the pages")
	}
	custom := loaded["custom"].pages["login"]
	if custom == loaded["default"].pages["login"] {
		t.Fatal("the overriding theme shares the base about page")
	}
	var buf bytes.Buffer
	if err := custom.ExecuteTemplate(&buf, "content", nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "custom login page") {
		t.Errorf("override not rendered: %q", buf.String())
	}
	if loaded["custom"].pages["home"] == nil {
		t.Error("the overriding theme lost the pages it does not override")
	}
}
