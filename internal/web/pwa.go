package web

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// iconSizes are the icons the manifest lists: Android's launcher and
// splash sizes, and a maskable one (drawn inside the safe zone).
var iconSizes = []struct {
	name     string
	size     int
	maskable bool
}{{"icon-192.png", 192, false}, {"icon-512.png", 512, false}, {"maskable-512.png", 512, true}}

// appColors are the colours the app is drawn in: the theme's, overridden by
// the tenant's branding.
func (s *Server) appColors(c *fiber.Ctx) (primary, onPrimary, background string) {
	th := s.page(c, "").Theme
	primary, onPrimary, background = th.Colors.Primary, th.Colors.OnPrimary, th.Colors.Background
	if t := reqCtx(c).Tenant; t != nil && t.Settings.Branding.HasColors() {
		b := t.Settings.Branding
		primary, onPrimary, background = b.Primary, b.OnPrimary, b.Background
	}
	return
}

func (s *Server) manifest(c *fiber.Ctx) error {
	pg := s.page(c, "")
	primary, _, background := s.appColors(c)
	short := pg.AppName
	if t := reqCtx(c).Tenant; t != nil && utf8.RuneCountInString(short) > 12 && t.ShortName != "" {
		short = t.ShortName
	}
	v := ""
	if t := reqCtx(c).Tenant; t != nil && t.Settings.Branding.HasColors() {
		v = "?v=" + brandingVersion(t.Settings.Branding)
	}
	type icon struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose"`
	}
	icons := make([]icon, 0, len(iconSizes))
	for _, ic := range iconSizes {
		purpose := "any"
		if ic.maskable {
			purpose = "maskable"
		}
		icons = append(icons, icon{Src: "/icons/" + ic.name + v, Sizes: fmt.Sprintf("%dx%d", ic.size, ic.size), Type: "image/png", Purpose: purpose})
	}
	c.Set(fiber.HeaderContentType, "application/manifest+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.JSON(map[string]any{
		"id":               "/",
		"name":             pg.AppName,
		"short_name":       short,
		"description":      pg.T("pwa.description"),
		"lang":             pg.Locale,
		"start_url":        "/",
		"scope":            "/",
		"display":          "standalone",
		"background_color": background,
		"theme_color":      primary,
		"icons":            icons,
	}, "application/manifest+json")
}

// iconCache keeps drawn icons by colours, initial and size: drawing a
// 512px icon takes a few milliseconds, and every union asks for three.
var iconCache sync.Map

func (s *Server) appIcon(c *fiber.Ctx) error {
	name := c.Params("name")
	for _, ic := range iconSizes {
		if ic.name != name {
			continue
		}
		primary, onPrimary, _ := s.appColors(c)
		letter := initial(s.page(c, "").AppName)
		key := strings.Join([]string{primary, onPrimary, letter, name}, "|")
		data, ok := iconCache.Load(key)
		if !ok {
			b, err := drawIcon(ic.size, ic.maskable, parseHex(primary), parseHex(onPrimary), letter)
			if err != nil {
				return err
			}
			data, _ = iconCache.LoadOrStore(key, b)
		}
		c.Set(fiber.HeaderContentType, "image/png")
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		return c.Send(data.([]byte))
	}
	return fiber.ErrNotFound
}

// initial is the app name's first letter, upper case ("S" for SoPaN SPN).
func initial(name string) string {
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return string(unicode.ToUpper(r))
		}
	}
	return "S"
}

func parseHex(h string) color.RGBA {
	v, err := strconv.ParseUint(strings.TrimPrefix(h, "#"), 16, 32)
	if err != nil || len(h) != 7 {
		return color.RGBA{0x33, 0x33, 0x33, 0xff}
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

var (
	iconFontOnce sync.Once
	iconFont     *opentype.Font
	iconFontErr  error
)

// drawIcon draws the app icon: the union's initial in its on-primary colour
// on its primary colour, with a speech-bubble tail (Suara is "voice"). A
// maskable icon fills the square and keeps the letter inside the central
// safe zone; the plain one is a rounded square.
func drawIcon(size int, maskable bool, bg, fg color.RGBA, letter string) ([]byte, error) {
	iconFontOnce.Do(func() { iconFont, iconFontErr = opentype.Parse(gobold.TTF) })
	if iconFontErr != nil {
		return nil, fmt.Errorf("icon font: %w", iconFontErr)
	}
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	radius := float64(size) * 0.22
	if maskable {
		radius = 0
	}
	fs := float64(size)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			if inRounded(float64(x)+0.5, float64(y)+0.5, fs, radius) {
				img.SetRGBA(x, y, bg)
			}
		}
	}
	// The bubble: a circle in the on-primary colour with a tail, the letter
	// in the primary colour inside it.
	scale := 0.34
	if maskable {
		scale = 0.27 // inside the 80% safe zone, with room to spare
	}
	cx, cy, r := fs/2, fs/2-fs*0.02, fs*scale
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			dx, dy := px-cx, py-cy
			in := dx*dx+dy*dy <= r*r
			// The tail: a triangle below and left of the circle.
			tx, ty := px-(cx-r*0.55), py-(cy+r*0.55)
			if !in && tx >= 0 && ty >= 0 && tx <= r*0.5 && ty <= r*0.55 && ty <= r*0.55-tx*1.1 {
				in = true
			}
			if in {
				img.SetRGBA(x, y, fg)
			}
		}
	}
	face, err := opentype.NewFace(iconFont, &opentype.FaceOptions{Size: r * 1.25, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("icon face: %w", err)
	}
	defer face.Close()
	d := &font.Drawer{Dst: img, Src: image.NewUniform(bg), Face: face}
	bounds, _ := d.BoundString(letter)
	// The glyph's box centred on the circle's centre.
	mid := func(a, b fixed.Int26_6) float64 { return float64(a+b) / 128 }
	d.Dot = fixed.Point26_6{X: fixed.Int26_6((cx - mid(bounds.Min.X, bounds.Max.X)) * 64), Y: fixed.Int26_6((cy - mid(bounds.Min.Y, bounds.Max.Y)) * 64)}
	d.DrawString(letter)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// inRounded reports whether (x, y) lies in the size×size square with
// corners rounded by radius.
func inRounded(x, y, size, radius float64) bool {
	if radius <= 0 {
		return true
	}
	cx := min(max(x, radius), size-radius)
	cy := min(max(y, radius), size-radius)
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= radius*radius
}

// serviceWorker serves static/sw.js from the site's root, so that its scope
// is the whole site; it must be revalidated on every visit, or a fixed
// worker would reach phones only a day later.
func (s *Server) serviceWorker(c *fiber.Ctx) error {
	data, err := staticFS.ReadFile("static/sw.js")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(data)
}
