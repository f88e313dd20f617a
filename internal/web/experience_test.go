package web_test

// The experience bar, checked where a test can check it: page weight, labels
// on every control, colour contrast of every theme, translation
// completeness, forms that keep what was typed, touch-target sizes. Our
// users are on cheap Android phones with patchy data; these are the
// promises that keep the pages usable there.

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"gopkg.in/yaml.v3"

	suara "github.com/suara-id/suara"
)

// pageBudget is the most a page may weigh compressed: HTML + CSS + JS,
// before images.
const pageBudget = 60 << 10

// renderedPage is one page as a user gets it.
type renderedPage struct {
	name, host, body string
}

// experiencePages renders every page a test can reach today, as its user
// sees it: signed out, as a worker, as staff, after filing.
func experiencePages(t *testing.T, e *env) []renderedPage {
	t.Helper()
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	named := e.file(spnHost, worker, map[string]any{"type": "complaint",
		"description": "Upah lembur dua bulan terakhir belum dibayar oleh perusahaan."})
	anon := e.file(spnHost, "", map[string]any{"type": "complaint",
		"description": "Pekerja kontrak diminta lembur tanpa upah tambahan."})

	var pages []renderedPage
	add := func(name, host string, status int, body string, want int) {
		t.Helper()
		if status != want {
			t.Fatalf("%s: status %d, want %d", name, status, want)
		}
		pages = append(pages, renderedPage{name: name, host: host, body: body})
	}
	get := func(name, host, path, tok string) {
		t.Helper()
		resp, body := e.page(host, path, tok)
		add(name, host, resp.StatusCode, body, http.StatusOK)
	}
	get("platform home", "localhost", "/", "")
	for _, slug := range []string{"spn", "garteks", "fsptsk", "japbusi"} {
		get("home "+slug, slug+".localhost", "/", "")
	}
	get("register", spnHost, "/register", "")
	get("login", spnHost, "/login", "")
	get("profile", spnHost, "/profile", worker)
	get("staff", spnHost, "/staff", admin)
	get("file a case (signed out)", spnHost, "/cases/new", "")
	get("file a case (worker)", spnHost, "/cases/new", worker)
	get("my cases", spnHost, "/cases", worker)
	get("case status (reporter)", spnHost, "/cases/"+named["id"].(string), worker)
	get("case (staff)", spnHost, "/cases/"+named["id"].(string), admin)
	get("receipt entry", spnHost, "/receipt", "")
	resp, _ := e.postForm(spnHost, "/receipt", "", url.Values{"code": {anon["receipt_code"].(string)}})
	ck := receiptCookie(resp)
	if ck == nil {
		t.Fatalf("receipt entry set no session cookie: %d", resp.StatusCode)
	}
	resp, body := e.receiptPage(spnHost, "/receipt/case", ck.Value)
	add("case by receipt", spnHost, resp.StatusCode, body, http.StatusOK)
	resp, body = e.postForm(spnHost, "/cases/new", worker, url.Values{"type": {"complaint"}, "step": {"submit"},
		"description": {"Cuti haid ditolak oleh atasan tanpa alasan yang jelas."}})
	add("confirmation", spnHost, resp.StatusCode, body, http.StatusCreated)
	resp, body = e.postForm(spnHost, "/cases/new", "", url.Values{"type": {"complaint"}, "step": {"submit"},
		"description": {"Pekerja dipaksa menandatangani kontrak baru tanpa salinan."}})
	add("confirmation with receipt", spnHost, resp.StatusCode, body, http.StatusCreated)
	resp, body = e.postForm(spnHost, "/cases/new", "", url.Values{"type": {"complaint"}, "description": {"x"}})
	add("filing with errors", spnHost, resp.StatusCode, body, http.StatusUnprocessableEntity)
	resp, body = e.page(spnHost, "/cases/00000000-0000-0000-0000-000000000000", worker)
	add("not found", spnHost, resp.StatusCode, body, http.StatusNotFound)

	// Staff and admin pages, the reporter's rating and the ILO console.
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	get("queue", spnHost, "/staff/queue", officer)
	get("queue filtered", spnHost, "/staff/queue?q=lembur&status=open", admin)
	get("profile (admin)", spnHost, "/profile", admin)
	get("categories", spnHost, "/admin/categories", admin)
	resp, body = e.page(spnHost, "/admin/categories", admin)
	if m := regexp.MustCompile(`href="(/admin/categories/[0-9a-f-]{36})"`).FindStringSubmatch(body); m != nil {
		get("category", spnHost, m[1], admin)
	} else {
		t.Fatalf("categories page lists no category (%d)", resp.StatusCode)
	}
	get("dashboard", spnHost, "/admin/dashboard", admin)
	get("people", spnHost, "/admin/people", admin)
	get("handling settings", spnHost, "/admin/handling", admin)
	get("sharing settings", spnHost, "/admin/sharing", admin)
	get("notifications", spnHost, "/notifications", worker)
	id := named["id"].(string)
	for _, tr := range []string{"verify", "start", "resolve"} {
		if resp, out := e.postJSON(spnHost, "/api/v1/cases/"+id+"/transitions", map[string]any{"transition": tr}, bearer(admin)...); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", tr, resp.StatusCode, out)
		}
	}
	get("case resolved (reporter)", spnHost, "/cases/"+id, worker)
	get("rating", spnHost, "/cases/"+id+"/rate", worker)
	get("case resolved (staff)", spnHost, "/cases/"+id, admin)
	analyst := e.login("localhost", map[string]string{"email": "ilo@platform.example", "password": demoPW})
	get("console", "localhost", "/console", analyst)
	get("console explorer", "localhost", "/console/explore", analyst)
	get("console trend", "localhost", "/console/trend", analyst)
	// The worker's journey: their home, and a case waiting for their answer.
	get("home (worker)", spnHost, "/", worker)
	asked := e.file(spnHost, worker, map[string]any{"type": "complaint",
		"description": "Slip gaji tidak mencantumkan jam lembur bulan ini."})["id"].(string)
	for _, tr := range []string{"verify", "request_info"} {
		if resp, out := e.postJSON(spnHost, "/api/v1/cases/"+asked+"/transitions", map[string]any{"transition": tr, "reason": "Mohon kirim foto slip gaji."}, bearer(admin)...); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", tr, resp.StatusCode, out)
		}
	}
	get("case waiting for information (reporter)", spnHost, "/cases/"+asked, worker)
	// Every tenant's theme on the page workers use most.
	for _, slug := range []string{"garteks", "fsptsk", "japbusi"} {
		get("file a case ("+slug+")", slug+".localhost", "/cases/new", "")
	}
	return pages
}

var assetRE = regexp.MustCompile(`<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"`)

func gzipSize(t *testing.T, b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.Len()
}

func TestExperienceBar(t *testing.T) {
	e := newCaseEnv(t)
	pages := experiencePages(t, e)

	t.Run("page weight", func(t *testing.T) {
		for _, p := range pages {
			total := gzipSize(t, []byte(p.body))
			parts := []string{fmt.Sprintf("html %d", total)}
			for _, m := range assetRE.FindAllStringSubmatch(p.body, -1) {
				resp, body := e.get(p.host, m[1])
				if resp.StatusCode != 200 {
					t.Errorf("%s: asset %s: %d", p.name, m[1], resp.StatusCode)
					continue
				}
				n := gzipSize(t, []byte(body))
				total += n
				parts = append(parts, fmt.Sprintf("%s %d", m[1], n))
			}
			if total > pageBudget {
				t.Errorf("%s weighs %d bytes gzipped (%s), budget %d", p.name, total, strings.Join(parts, ", "), pageBudget)
			}
			t.Logf("%-28s %6d B gzip (%s)", p.name, total, strings.Join(parts, ", "))
		}
	})

	t.Run("labels", func(t *testing.T) {
		for _, p := range pages {
			for _, problem := range unlabelled(p.body) {
				t.Errorf("%s: %s", p.name, problem)
			}
		}
	})

	t.Run("images sized", func(t *testing.T) {
		imgRE := regexp.MustCompile(`<img\b[^>]*>`)
		for _, p := range pages {
			for _, img := range imgRE.FindAllString(p.body, -1) {
				if !strings.Contains(img, "width=") || !strings.Contains(img, "height=") || !strings.Contains(img, "alt=") {
					t.Errorf("%s: image without width, height or alt: %s", p.name, img)
				}
			}
		}
	})

	t.Run("no untranslated ids", func(t *testing.T) {
		// A missing message renders as its id ("case.new_title"), alone or
		// inside a sentence ("Urgensi: queue.urgency.x"): look at every
		// piece of text and every attribute a reader meets.
		idRE := regexp.MustCompile(`(?:^|[^\w@.-])((?:case|error|field|nav|register|login|receipt|profile|staff|draft|home|platform|handling|queue|admin|console|timeline|sector|role|notify|privacy|ai|intake|tags|brands|org|journey|outcome|gender|channels|account|evidence|similar)\.[a-z_]+(?:\.[a-z_]+)*)`)
		for _, p := range pages {
			for _, text := range readable(p.body) {
				if m := idRE.FindStringSubmatch(text); m != nil {
					t.Errorf("%s shows the message id %q in %q", p.name, m[1], text)
				}
			}
		}
	})
}

// readable lists a page's text nodes and the attributes people read
// (placeholder, title, aria-label, alt, value of buttons).
func readable(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []string{"unparseable HTML: " + err.Error()}
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if p := n.Parent; p != nil && (p.Data == "script" || p.Data == "style") {
				break
			}
			if t := strings.TrimSpace(n.Data); t != "" {
				out = append(out, t)
			}
		case html.ElementNode:
			for _, a := range n.Attr {
				switch a.Key {
				case "placeholder", "title", "aria-label", "alt", "data-draft-restored", "data-draft-discard":
					out = append(out, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// unlabelled lists the form controls of a page without a label: a <label
// for> naming their id, a wrapping <label>, or an aria-label(ledby).
func unlabelled(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []string{"unparseable HTML: " + err.Error()}
	}
	attr := func(n *html.Node, k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	fors := map[string]bool{}
	var controls []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "label":
				if f, ok := attr(n, "for"); ok {
					fors[f] = true
				}
			case "input", "select", "textarea":
				typ, _ := attr(n, "type")
				switch typ {
				case "hidden", "submit", "button", "reset", "image":
				default:
					controls = append(controls, n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	var out []string
	for _, c := range controls {
		if v, ok := attr(c, "aria-label"); ok && strings.TrimSpace(v) != "" {
			continue
		}
		if _, ok := attr(c, "aria-labelledby"); ok {
			continue
		}
		if id, ok := attr(c, "id"); ok && fors[id] {
			continue
		}
		wrapped := false
		for p := c.Parent; p != nil; p = p.Parent {
			if p.Type == html.ElementNode && p.Data == "label" {
				wrapped = true
				break
			}
		}
		if wrapped {
			continue
		}
		name, _ := attr(c, "name")
		out = append(out, fmt.Sprintf("<%s name=%q> has no label", c.Data, name))
	}
	return out
}

// TestTemplatesLabelEveryControl checks the templates themselves, so pages
// no test renders yet (and theme overrides) are held to the same rule.
func TestTemplatesLabelEveryControl(t *testing.T) {
	action := regexp.MustCompile(`{{[^}]*}}`)
	for _, f := range templateFiles(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Template actions become placeholders: ids stay comparable, and
		// both branches of an if count.
		page := action.ReplaceAllString(string(src), "x")
		for _, problem := range unlabelled(page) {
			t.Errorf("%s: %s", f, problem)
		}
	}
}

// templateFiles lists the base templates and every theme's overrides.
func templateFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates found: %v", err)
	}
	overrides, _ := fs.Glob(suara.ThemesFS, "themes/*/templates/*.html")
	for _, o := range overrides {
		files = append(files, filepath.Join("..", "..", o))
	}
	return files
}

// relativeLuminance follows WCAG 2.x.
func relativeLuminance(hex string) float64 {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	ch := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(v>>16&0xff) + 0.7152*ch(v>>8&0xff) + 0.0722*ch(v&0xff)
}

func contrast(a, b string) float64 {
	la, lb := relativeLuminance(a), relativeLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestContrastFormula(t *testing.T) {
	// Known values: black on white is 21:1, a colour on itself 1:1,
	// #767676 on white is the classic 4.54:1.
	for _, c := range []struct {
		a, b string
		want float64
	}{{"#000000", "#FFFFFF", 21}, {"#3949AB", "#3949AB", 1}, {"#767676", "#FFFFFF", 4.54}} {
		if got := contrast(c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.2f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

// TestThemeContrast computes every theme's colour pairs as the stylesheet
// uses them: body text on the background, the bar and primary buttons
// (on_primary on primary), outline buttons and links (primary on the
// background), and the fixed error red on the background.
func TestThemeContrast(t *testing.T) {
	files, err := fs.Glob(suara.ThemesFS, "themes/*/theme.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no themes: %v", err)
	}
	for _, f := range files {
		data, err := fs.ReadFile(suara.ThemesFS, f)
		if err != nil {
			t.Fatal(err)
		}
		var th struct {
			Colors map[string]string `yaml:"colors"`
		}
		if err := yaml.Unmarshal(data, &th); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		c := th.Colors
		pairs := []struct{ what, fg, bg string }{
			{"text on background", c["text"], c["background"]},
			{"on_primary on primary", c["on_primary"], c["primary"]},
			{"primary on background", c["primary"], c["background"]},
			{"error red on background", "#b00020", c["background"]},
		}
		for _, p := range pairs {
			if r := contrast(p.fg, p.bg); r < 4.5 {
				t.Errorf("%s: %s %s on %s is %.2f:1, want ≥ 4.5:1", f, p.what, p.fg, p.bg, r)
			}
		}
	}
}

// localeKeys reads every message id of one language.
func localeKeys(t *testing.T, lang string) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob("locales/*" + lang + ".yaml")
	keys := map[string]bool{}
	for _, f := range files {
		base := filepath.Base(f)
		if base != lang+".yaml" && !strings.HasSuffix(base, "."+lang+".yaml") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := yaml.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k := range m {
			keys[k] = true
		}
	}
	if len(keys) == 0 {
		t.Fatalf("no messages for %s", lang)
	}
	return keys
}

// TestTemplateStringsTranslated walks the templates for every message a
// page asks for ({{.T "key"}}, {{$.T (printf "pattern" ...)}}) and the Go
// sources for every error key a service returns, and checks each exists in
// both languages.
func TestTemplateStringsTranslated(t *testing.T) {
	langs := map[string]map[string]bool{"id": localeKeys(t, "id"), "en": localeKeys(t, "en")}
	literal := regexp.MustCompile(`\.T\s+"([^"]+)"`)
	pattern := regexp.MustCompile(`\.T\s+\(printf\s+"([^"]+)"`)
	need := map[string][]string{} // key -> where
	patterns := map[string][]string{}
	for _, f := range templateFiles(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			need[m[1]] = append(need[m[1]], f)
		}
		for _, m := range pattern.FindAllStringSubmatch(string(src), -1) {
			patterns[m[1]] = append(patterns[m[1]], f)
		}
	}
	if len(need) < 50 {
		t.Fatalf("found only %d message ids in templates: is the walk broken?", len(need))
	}
	// Error keys returned by services and handlers: "error.something".
	errKey := regexp.MustCompile(`"(error\.[a-z0-9_]+)"`)
	err := filepath.WalkDir(filepath.Join("..", ".."), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != filepath.Join("..", "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if !strings.Contains(filepath.ToSlash(path), "/internal/") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range errKey.FindAllStringSubmatch(string(src), -1) {
			need[m[1]] = append(need[m[1]], path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for key, where := range need {
		for lang, keys := range langs {
			if !keys[key] {
				missing = append(missing, fmt.Sprintf("%s: %q (used in %s)", lang, key, where[0]))
			}
		}
	}
	for p, where := range patterns {
		re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(p), "%s", "[a-z0-9_]+") + "$")
		for lang, keys := range langs {
			found := false
			for k := range keys {
				if re.MatchString(k) {
					found = true
					break
				}
			}
			if !found {
				missing = append(missing, fmt.Sprintf("%s: nothing matches %q (used in %s)", lang, p, where[0]))
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Error(m)
	}
}

// TestFormsKeepTypedValues: a validation error must not throw away what a
// worker typed on a phone keyboard.
func TestFormsKeepTypedValues(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})

	t.Run("filing", func(t *testing.T) {
		title := "Lembur tidak dibayar"
		resp, body := e.postForm(spnHost, "/cases/new", worker, url.Values{"type": {"complaint"}, "step": {"submit"},
			"title": {title}, "description": {"pendek"}, "incident_date": {"2099-01-01"}, "affected_count": {"12"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustContain(t, body, `value="`+title+`"`, ">pendek</textarea>", `value="2099-01-01"`, `value="12"`,
			`value="complaint" checked`, `class="field-error"`)
	})

	t.Run("register", func(t *testing.T) {
		resp, body := e.postForm(spnHost, "/register", "", url.Values{"name": {"Siti Aminah"}, "phone": {"12"},
			"password": {"kata-sandi-panjang"}, "member_number": {"SPN-77"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustContain(t, body, `value="Siti Aminah"`, `value="12"`, `value="SPN-77"`, `class="field-error"`)
		if strings.Contains(body, "kata-sandi-panjang") {
			t.Error("the password is echoed back")
		}
	})

	t.Run("English errors say what to do", func(t *testing.T) {
		_, body := e.postForm(spnHost, "/cases/new?lang=en", worker, url.Values{"type": {"complaint"}, "step": {"submit"},
			"description": {"pendek"}})
		if !strings.Contains(body, `lang="en"`) || strings.Contains(body, "error.") {
			t.Errorf("English error page: %s", body)
		}
	})
}

// TestTouchTargets: buttons and form fields are at least 44 CSS px tall, so
// a thumb on a small screen hits the right one.
func TestTouchTargets(t *testing.T) {
	css, err := os.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(css), "")
	rules := regexp.MustCompile(`([^{}]+)\{([^}]*)\}`).FindAllStringSubmatch(text, -1)
	minHeight := regexp.MustCompile(`min-height:\s*(\d+(?:\.\d+)?)(px|rem)`)
	covered := map[string]float64{}
	for _, r := range rules {
		m := minHeight.FindStringSubmatch(r[2])
		if m == nil {
			continue
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		if m[2] == "rem" {
			v *= 16
		}
		for _, sel := range strings.Split(r[1], ",") {
			sel = strings.TrimSpace(sel)
			if v > covered[sel] {
				covered[sel] = v
			}
		}
	}
	for _, sel := range []string{"button", ".button", "input", "select", "textarea", "fieldset label"} {
		if covered[sel] < 44 {
			t.Errorf("%s: min-height %.0fpx, want ≥ 44px", sel, covered[sel])
		}
	}
}
