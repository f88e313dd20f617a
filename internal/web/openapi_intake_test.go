package web_test

import "fmt"

// exerciseIntake calls the intake operations (issue 21) for the document
// check: channel settings, assisted filing, a case's intake and transcript.
func exerciseIntake(_ *env, r *recorder, a apiActors, must statusCheck) {
	st, _ := r.json("GET", "/admin/channels/whatsapp", a.admin, nil)
	must("chat channel", st, 200)
	st, _ = r.json("PUT", "/admin/channels/sms", a.admin, map[string]any{"app_secret": "sms-secret", "api_base": "https://sms.example/send"})
	must("set chat channel", st, 200)
	st, _ = r.json("PUT", "/admin/channels/sms", a.officer, map[string]any{"app_secret": "x"})
	must("set chat channel as officer", st, 403)
	st, filed := r.json("POST", "/staff/intake", a.officer, map[string]any{"type": "complaint", "description": "Pekerja menelepon: THR belum dibayar.",
		"workplace_id": a.wp, "safety_mode": "anonymous", "intake_channel": "phone", "consent": true})
	must("assisted filing", st, 201)
	st, _ = r.json("POST", "/staff/intake", a.officer, map[string]any{"type": "complaint", "description": "Tanpa persetujuan.",
		"workplace_id": a.wp, "safety_mode": "anonymous", "intake_channel": "phone"})
	must("assisted filing without consent", st, 422)
	id := fmt.Sprint(filed["id"])
	st, _ = r.json("GET", "/cases/"+id+"/intake", a.officer, nil)
	must("case intake", st, 200)
	st, _ = r.json("PUT", "/cases/"+id+"/transcript", a.officer, map[string]any{"transcript": "Transkrip percakapan telepon."})
	must("transcript", st, 200)
}
