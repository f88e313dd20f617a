package web_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestWebHoldsNoDatabase: handlers call services; no file of the web
// package imports a database package (bun, pgx, database/sql). Database
// errors are classified by internal/db.
func TestWebHoldsNoDatabase(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/uptrace/bun") || strings.HasPrefix(path, "github.com/jackc/pgx") ||
				strings.HasPrefix(path, "database/sql") {
				t.Errorf("%s imports %s: call a service instead", name, path)
			}
		}
	}
	if checked < 40 {
		t.Fatalf("only %d files checked", checked)
	}
}

// caseTableRE matches SQL that names a case table: the cases table or a
// case_* one (migrations create them all under these names).
var caseTableRE = regexp.MustCompile(`(?i)\b(FROM|JOIN|UPDATE|INTO|TABLE)\s+(ONLY\s+)?(cases|case_[a-z_]+)\b`)

// goList runs `go list` with args from this package's folder.
func goList(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list %v: %v\n%s", args, err, ee.Stderr)
		}
		t.Fatalf("go list %v: %v", args, err)
	}
	return string(out)
}

// TestLayering asserts issue 23's first acceptance point in one place:
// the web package imports no database package (as `go list` sees the
// package), every route is registered in routes.go, and no package that
// cases imports (tenant, auth, db, ...) names a case table in SQL: the
// case tables are read and written by the package that owns them.
func TestLayering(t *testing.T) {
	t.Run("web imports no database package", func(t *testing.T) {
		imports := strings.Fields(goList(t, "-f", `{{join .Imports " "}}`, "."))
		if len(imports) < 10 {
			t.Fatalf("go list sees %d imports: %v", len(imports), imports)
		}
		for _, path := range imports {
			if strings.HasPrefix(path, "github.com/uptrace/bun") || strings.HasPrefix(path, "github.com/jackc/pgx") ||
				strings.HasPrefix(path, "database/sql") {
				t.Errorf("internal/web imports %s: call a service instead", path)
			}
		}
	})
	t.Run("routes registered in routes.go only", TestRoutesRegisteredOnlyInRoutesGo)
	t.Run("no package below cases names a case table", func(t *testing.T) {
		const casesPkg = "github.com/suara-id/suara/internal/cases"
		module := strings.TrimSuffix(casesPkg, "/internal/cases")
		// One line per module package cases depends on: its path and its
		// non-test Go files with their folder.
		lines := goList(t, "-deps", "-f", `{{.ImportPath}}{{range .GoFiles}} {{$.Dir}}/{{.}}{{end}}`, casesPkg)
		pkgs, files := 0, 0
		for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
			f := strings.Fields(line)
			if len(f) == 0 || f[0] == casesPkg || (f[0] != module && !strings.HasPrefix(f[0], module+"/")) {
				continue
			}
			pkgs++
			for _, name := range f[1:] {
				files++
				for _, hit := range caseTableSQL(t, name) {
					t.Errorf("%s, which cases imports, names a case table at %s: move the query into cases", f[0], hit)
				}
			}
		}
		if pkgs < 5 || files < 20 {
			t.Fatalf("only %d packages, %d files below cases: is the walk broken?", pkgs, files)
		}
		// The check sees SQL in each form it takes.
		probe := filepath.Join(t.TempDir(), "probe.go")
		for _, src := range []string{
			"package p; const q = `SELECT count(*) FROM cases c WHERE c.category_id = ?`",
			`package p; const q = "select 1 from case_suggestions"`,
			`package p; var q = "UPDATE cases SET x = 1"`,
			`package p; func f(db interface{ Table(...string) }) { db.Table("case_events") }`,
			`package p; var tables = []string{"users", "cases", "branches"}`,
		} {
			if err := os.WriteFile(probe, []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			if len(caseTableSQL(t, probe)) == 0 {
				t.Errorf("the check misses %s", src)
			}
		}
	})
}

// caseTableSQL returns where the Go file names a case table: a string
// literal with SQL over one, a bun Table/TableExpr/ModelTableExpr call on
// one, or one listed among table names (a loop that builds its SQL).
func caseTableSQL(t *testing.T, name string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	isCaseTable := func(s string) bool {
		return s == "cases" || (strings.HasPrefix(s, "case_") && !strings.ContainsAny(s, " .:"))
	}
	var hits []string
	hit := func(n ast.Node, what string) {
		hits = append(hits, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), what))
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			if n.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(n.Value)
			if err == nil && caseTableRE.MatchString(s) {
				hit(n, caseTableRE.FindString(s))
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Table" && sel.Sel.Name != "TableExpr" && sel.Sel.Name != "ModelTableExpr") {
				return true
			}
			for _, a := range n.Args {
				if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					if first, _, _ := strings.Cut(strings.TrimSpace(s), " "); isCaseTable(first) {
						hit(n, sel.Sel.Name+"("+lit.Value+")")
					}
				}
			}
		case *ast.CompositeLit:
			// A list of plain strings (not a map's keys) naming a case
			// table alongside other tables.
			if at, ok := n.Type.(*ast.ArrayType); !ok || fmt.Sprint(at.Elt) != "string" {
				return true
			}
			for _, e := range n.Elts {
				if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, _ := strconv.Unquote(lit.Value); isCaseTable(s) {
						hit(n, "table list with "+lit.Value)
					}
				}
			}
		}
		return true
	})
	return hits
}
