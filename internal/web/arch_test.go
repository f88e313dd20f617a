package web_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
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
