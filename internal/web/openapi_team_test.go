package web_test

import (
	"testing"
)

// exerciseTeam calls the union self-service API (admin_team.go) for the
// document check: invites, routing rules, conflicts, the test message.
func exerciseTeam(t *testing.T, e *env, r *recorder, a apiActors, must statusCheck) {
	t.Helper()
	st, inv := r.json("POST", "/staff/invites", a.admin, map[string]any{"phone": "081299990001", "role": "case_officer", "branch_id": a.ids["spn/jabar"]})
	must("invite by phone", st, 201)
	st, _ = r.json("GET", "/staff/invites", a.branch, nil)
	must("pending invites", st, 200)
	st, _ = r.json("GET", "/staff/invites", a.officer, nil)
	must("pending invites by an officer", st, 403)
	id := inv["invite"].(map[string]any)["id"].(string)
	st, _ = r.json("POST", "/staff/invites/"+id+"/resend", a.admin, nil)
	must("resend invite", st, 200)
	st, _ = r.json("POST", "/staff/invites/00000000-0000-0000-0000-000000000000/resend", a.admin, nil)
	must("resend unknown invite", st, 404)
	x := r.call("POST", "/staff/invites/"+id+"/revoke", a.admin, "", nil)
	must("revoke invite", x.status, 204)
	st, _ = r.json("POST", "/staff/invites/"+id+"/revoke", a.admin, nil)
	must("revoke a revoked invite", st, 404)

	st, rules := r.json("GET", "/routing-rules", a.admin, nil)
	must("routing rules", st, 200)
	st, _ = r.json("GET", "/routing-rules", a.branch, nil)
	must("routing rules by a branch admin", st, 403)
	list, _ := rules["rules"].([]any)
	if len(list) == 0 {
		t.Fatal("no routing rule to delete")
	}
	x = r.call("DELETE", "/routing-rules/"+list[0].(map[string]any)["id"].(string), a.admin, "", nil)
	must("delete routing rule", x.status, 204)
	st, _ = r.json("DELETE", "/routing-rules/00000000-0000-0000-0000-000000000000", a.admin, nil)
	must("delete unknown routing rule", st, 404)

	st, _ = r.json("GET", "/staff-conflicts", a.admin, nil)
	must("staff conflicts", st, 200)
	st, _ = r.json("GET", "/staff-conflicts", a.officer, nil)
	must("staff conflicts by an officer", st, 403)
	officerID := userID(e, "officer@spn.example")
	x = r.call("DELETE", "/staff-conflicts/"+officerID+"/"+a.wp, a.admin, "", nil)
	must("delete staff conflict", x.status, 204)
	st, _ = r.json("DELETE", "/staff-conflicts/"+officerID+"/"+a.wp, a.admin, nil)
	must("delete a deleted staff conflict", st, 404)

	st, _ = r.json("POST", "/admin/notification-settings/test", a.admin, map[string]any{"channel": "email", "to": "uji@spn.example"})
	must("test message", st, 200)
	st, _ = r.json("POST", "/admin/notification-settings/test", a.admin, map[string]any{"channel": "fax", "to": "x"})
	must("test message bad channel", st, 422)
	st, _ = r.json("POST", "/admin/notification-settings/test", a.branch, map[string]any{"channel": "sms", "to": "081200000001"})
	must("test message by a branch admin", st, 403)
}
