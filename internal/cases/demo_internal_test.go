package cases

import (
	"strings"
	"testing"

	"github.com/suara-id/suara/internal/tenant"
)

// TestDemoCasesFitTheSector: a plantation union's demo cases are about
// estates, not sewing lines; a garment union keeps its factory cases.
func TestDemoCasesFitTheSector(t *testing.T) {
	text := func(list []demoCase) string {
		var b strings.Builder
		for _, d := range list {
			b.WriteString(d.title + " " + d.desc + " ")
		}
		return strings.ToLower(b.String())
	}
	estate := text(demoCasesFor(&tenant.Tenant{Sectors: []string{"palm_oil"}}))
	for _, want := range []string{"afdeling", "basis borong", "pemanen", "herbisida", "brondolan", "bhl"} {
		if !strings.Contains(estate, want) {
			t.Errorf("estate demo cases do not mention %q", want)
		}
	}
	for _, factory := range []string{"sewing", "finishing", "laktasi"} {
		if strings.Contains(estate, factory) {
			t.Errorf("estate demo cases mention %q", factory)
		}
	}
	if garment := text(demoCasesFor(&tenant.Tenant{Sectors: []string{"garment", "footwear"}})); !strings.Contains(garment, "sewing") {
		t.Error("a garment union lost its factory demo cases")
	}
}
