package tenant

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/suara-id/suara/internal/apperr"
)

func TestContrast(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{{"#000000", "#ffffff", 21}, {"#ffffff", "#ffffff", 1}, {"#777777", "#ffffff", 4.48}, {"#1565c0", "#ffffff", 5.75}} {
		if got := Contrast(c.a, c.b); got < c.want-0.01 || got > c.want+0.01 {
			t.Errorf("contrast %s/%s = %.2f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

func TestCheckBranding(t *testing.T) {
	ok := BrandingInput{AppName: " Suara Buruh ", Primary: "#1565C0", OnPrimary: "#ffffff", Accent: "#f9a825",
		Background: "#ffffff", Text: "#1b1b1b", WelcomeID: "Selamat datang", WelcomeEN: "Welcome"}
	got, err := CheckBranding(ok)
	if err != nil || got.AppName != "Suara Buruh" || got.Primary != "#1565c0" {
		t.Fatalf("good input: %+v %v", got, err)
	}
	bad := ok
	bad.OnPrimary = "#777777" // 3.9:1 on blue
	bad.Text = "#999999"
	_, err = CheckBranding(bad)
	var v *apperr.Validation
	if !errors.As(err, &v) || v.Fields["on_primary"] != "error.branding_contrast" || v.Fields["text"] != "error.branding_contrast" {
		t.Errorf("low contrast: %v", err)
	}
	bad = ok
	bad.Primary, bad.AppName = "red; background:url(x)", ""
	if _, err = CheckBranding(bad); !errors.As(err, &v) || v.Fields["primary"] == "" || v.Fields["app_name"] == "" {
		t.Errorf("bad colour and name: %v", err)
	}
}

func TestSanitizeSVG(t *testing.T) {
	in := `<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY x "boom">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 64 64" onload="alert(1)">
  <script>alert(1)</script>
  <style>@import url(http://evil.example/x.css);</style>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
  <a href="javascript:alert(1)"><circle r="3"/></a>
  <image href="http://tracker.example/p.png" width="1" height="1"/>
  <use xlink:href="http://evil.example/s.svg#a"/>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <rect width="64" height="64" fill="url(#g)" onclick="alert(2)" style="fill:url(http://evil.example)"/>
  <path d="M0 0L64 64" stroke="url(http://evil.example/p)" fill="none"/>
  <text x="4" y="40" font-size="20">SP&amp;N</text>
</svg>`
	out, err := SanitizeSVG([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, bad := range []string{"script", "onload", "onclick", "alert", "evil", "tracker", "style", "foreignObject", "href", "boom", "ENTITY", "<a", "<image", "<use"} {
		if strings.Contains(s, bad) {
			t.Errorf("sanitised SVG still has %q:\n%s", bad, s)
		}
	}
	for _, good := range []string{`viewBox="0 0 64 64"`, `fill="url(#g)"`, `<linearGradient id="g">`, `d="M0 0L64 64"`, "SP&amp;N", `xmlns="http://www.w3.org/2000/svg"`} {
		if !strings.Contains(s, good) {
			t.Errorf("sanitised SVG lost %q:\n%s", good, s)
		}
	}
	for _, refuse := range []string{`<html><svg/></html>`, `not xml`, `<svg><g></svg>`, `<svg>&xxe;</svg>`, ``} {
		if _, err := SanitizeSVG([]byte(refuse)); err == nil {
			t.Errorf("accepted %q", refuse)
		}
	}
}

func TestCleanLogo(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	if ct, out, err := CleanLogo(buf.Bytes()); err != nil || ct != "image/png" || len(out) == 0 {
		t.Errorf("png: %s %v", ct, err)
	}
	if ct, _, err := CleanLogo([]byte(`<svg viewBox="0 0 1 1"><rect width="1" height="1"/></svg>`)); err != nil || ct != "image/svg+xml" {
		t.Errorf("svg: %s %v", ct, err)
	}
	for name, data := range map[string][]byte{"gif": []byte("GIF89a...."), "empty": nil, "huge": bytes.Repeat([]byte(" "), MaxLogoBytes+1),
		"broken png": []byte("\x89PNG\r\n\x1a\nxxxx")} {
		if _, _, err := CleanLogo(data); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
