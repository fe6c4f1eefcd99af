from tests.lambda_events import http_event, invoke


def test_submit_then_answer_then_visible(reader, editor, post_id, editor_token):
    r = invoke(reader.handler, http_event("GET", f"/v1/posts/{post_id}/questions"))
    assert r.status == 200, r.body
    r = invoke(reader.handler, http_event("POST", f"/v1/posts/{post_id}/questions", body={"question": "Mitä kuuluu?", "email": "a@example.com"}, headers={"Idempotency-Key": "k1"}))
    assert r.status == 202, r.body
    qa_id = r.json()["id"]
    r2 = invoke(reader.handler, http_event("POST", f"/v1/posts/{post_id}/questions", body={"question": "Mitä kuuluu?", "email": "a@example.com"}, headers={"Idempotency-Key": "k1"}))
    assert r2.json()["id"] == qa_id, r2.body
    auth = {"Authorization": f"Bearer {editor_token}"}
    q = invoke(editor.handler, http_event("GET", "/v1/admin/queue", headers=auth))
    assert q.status == 200, q.body
    assert [i["id"] for i in q.json()["items"] if i["post_id"] == post_id] == [qa_id]
    a = invoke(editor.handler, http_event("POST", f"/v1/admin/posts/{post_id}/questions/{qa_id}/answer", headers=auth, body={"version": 1, "answer": "Hyvää!"}))
    assert a.status == 200, a.body
    r = invoke(reader.handler, http_event("GET", f"/v1/posts/{post_id}/questions"))
    assert r.json()["items"][0]["answer"] == "Hyvää!", r.body
    c = invoke(editor.handler, http_event("POST", f"/v1/admin/posts/{post_id}/questions/{qa_id}/answer", headers=auth, body={"version": 1, "answer": "x"}))
    assert c.status == 409, c.body
