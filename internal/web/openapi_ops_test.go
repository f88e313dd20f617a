package web_test

import (
	"regexp"
	"sort"
	"testing"
)

var operationIDForm = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)

// TestOpenAPIOperationsNamed: every operation of the document has an
// operationId (unique, lowerCamelCase, so generated clients get stable
// method names), a description and at least one tag declared at the top.
func TestOpenAPIOperationsNamed(t *testing.T) {
	doc := apiDoc(t)
	declared := map[string]bool{}
	for _, tag := range doc.Tags {
		declared[tag.Name] = true
	}
	ids := map[string]string{}
	var ops []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			ops = append(ops, name)
			switch {
			case op.OperationID == "":
				t.Errorf("%s: no operationId", name)
			case !operationIDForm.MatchString(op.OperationID):
				t.Errorf("%s: operationId %q is not lowerCamelCase", name, op.OperationID)
			case ids[op.OperationID] != "":
				t.Errorf("%s: operationId %q already names %s", name, op.OperationID, ids[op.OperationID])
			default:
				ids[op.OperationID] = name
			}
			if op.Description == "" {
				t.Errorf("%s: no description", name)
			}
			if len(op.Tags) == 0 {
				t.Errorf("%s: no tags", name)
			}
			for _, tag := range op.Tags {
				if !declared[tag] {
					t.Errorf("%s: tag %q is not declared in the document's tags", name, tag)
				}
			}
		}
	}
	if len(ops) < 20 {
		sort.Strings(ops)
		t.Fatalf("only %d operations found: %v", len(ops), ops)
	}
}
