package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// routingMethods are the Fiber calls that add to the route stack.
var routingMethods = map[string]bool{
	"Get": true, "Head": true, "Post": true, "Put": true, "Patch": true, "Delete": true, "Connect": true,
	"Options": true, "Trace": true, "All": true, "Add": true, "Use": true, "Group": true, "Route": true,
	"Mount": true, "Static": true,
}

// routeRegistrations lists where src (one Go file) touches the route
// stack: a routing call on the server's app (s.app.Get, s.App().Use), the
// app handed on (app := s.app) or a fiber.Router named at all. Outside
// server.go's plumbing (build, listen, shut down, the App accessor) that
// is route registration.
func routeRegistrations(t *testing.T, name, src string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	report := func(n ast.Node, what string) {
		found = append(found, fset.Position(n.Pos()).String()+": "+what)
	}
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		var parent ast.Node
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		stack = append(stack, n)
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == "fiber" && (sel.Sel.Name == "Router" || sel.Sel.Name == "Group") {
			report(n, "names fiber."+sel.Sel.Name)
		}
		// s.App().Get(...)
		if call, ok := sel.X.(*ast.CallExpr); ok && routingMethods[sel.Sel.Name] {
			if fn, ok := call.Fun.(*ast.SelectorExpr); ok && fn.Sel.Name == "App" {
				report(n, "App()."+sel.Sel.Name)
			}
		}
		if sel.Sel.Name != "app" {
			return true
		}
		switch p := parent.(type) {
		case *ast.SelectorExpr:
			if p.Sel.Name == "Listen" || p.Sel.Name == "ShutdownWithTimeout" {
				return true
			}
			report(n, "app."+p.Sel.Name)
		case *ast.AssignStmt:
			if len(p.Lhs) == 1 && p.Lhs[0] == n {
				return true // s.app = fiber.New(...)
			}
			report(n, "app assigned to a variable")
		case *ast.ReturnStmt:
			// the App accessor; registering through it is caught above
		default:
			report(n, "app handed on")
		}
		return true
	})
	return found
}

// TestRoutesRegisteredOnlyInRoutesGo: routes.go is the one place a URL is
// bound to a handler. A route added in a feature file fails here; move
// the line into routes.go, under its area.
func TestRoutesRegisteredOnlyInRoutesGo(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "routes.go" {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, f := range routeRegistrations(t, name, string(src)) {
			t.Errorf("route registered outside routes.go: %s", f)
		}
	}
	if checked < 40 {
		t.Fatalf("only %d files checked: is the glob broken?", checked)
	}
	routes, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	if got := routeRegistrations(t, "routes.go", string(routes)); len(got) == 0 {
		t.Fatal("the check sees nothing in routes.go, which registers every route")
	}

	// The check itself finds each way of registering elsewhere.
	for _, src := range []string{
		`package web; func (s *Server) r() { s.app.Get("/x", s.h) }`,
		`package web; func (s *Server) r() { app := s.app; app.Post("/x", s.h) }`,
		`package web; func (s *Server) r() { s.sub(s.app) }`,
		`package web; func (s *Server) sub(api fiber.Router) {}`,
		`package web; func (s *Server) r() { s.App().Use(s.h) }`,
	} {
		if len(routeRegistrations(t, "probe.go", src)) == 0 {
			t.Errorf("the check misses %s", src)
		}
	}
}
