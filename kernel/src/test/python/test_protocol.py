"""Protocol tests: the real kernel, driven through jupyter_client as JupyterLab and nbconvert drive it."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import jupyter_client
import nbformat
import pytest
from jupyter_client.session import Session

from conftest import KERNEL, run


def test_kernel_info(kernel):
    _, kc = kernel
    reply = kc.kernel_info(reply=True, timeout=30)["content"]
    assert reply["status"] == "ok"
    assert reply["language_info"]["name"] == "java"
    assert reply["implementation"] == "StreamLab"
    assert reply["language_info"]["file_extension"] == ".java"
    assert reply["protocol_version"].startswith("5.")


def test_execute_result_and_count(kernel):
    _, kc = kernel
    first = run(kc, "int a = 40;")
    second = run(kc, "a + 2")
    assert second.status == "ok"
    assert second.result["text/plain"] == "42"
    assert second.reply["content"]["execution_count"] == first.reply["content"]["execution_count"] + 1


def test_stdout_streams_while_the_cell_runs(kernel):
    _, kc = kernel
    msg_id = kc.execute('for (int i = 0; i < 3; i++) { System.out.println("tick" + i); Thread.sleep(500); }')
    first_stream_at = idle_at = None
    text = ""
    while idle_at is None:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            text += msg["content"]["text"]
            if first_stream_at is None:
                first_stream_at = time.monotonic()
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            idle_at = time.monotonic()
    assert text == "tick0\ntick1\ntick2\n"
    # the first line arrived while the cell was still sleeping, not with the end of the cell
    assert idle_at - first_stream_at > 0.7


def test_complete_java_and_magics(kernel):
    _, kc = kernel
    java = kc.complete("Strin", 5, reply=True, timeout=30)["content"]
    assert "String" in java["matches"]
    assert java["cursor_start"] == 0 and java["cursor_end"] == 5
    magic = kc.complete("%lsm", 4, reply=True, timeout=30)["content"]
    assert magic["matches"] == ["lsmagic"]


def test_inspect_shows_signature(kernel):
    _, kc = kernel
    reply = kc.inspect("Math.max", 8, reply=True, timeout=30)["content"]
    assert reply["found"]
    assert "max(int a, int b)" in reply["data"]["text/plain"]


def test_is_complete(kernel):
    _, kc = kernel
    def status(code):
        msg_id = kc.is_complete(code)
        reply = kc.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id
        return reply["content"]["status"]

    assert status("int x = 1;") == "complete"
    assert status("void f() {") == "incomplete"
    assert status("int x = ;") == "invalid"
    assert status("%lsmagic") == "complete"


def test_history(kernel):
    _, kc = kernel
    run(kc, "int historyMarker = 7;")
    reply = kc.history(hist_access_type="tail", n=5, reply=True, timeout=30)["content"]
    assert any("historyMarker" in str(entry) for entry in reply["history"])


def test_display_and_update_display(kernel):
    _, kc = kernel
    r = run(kc, 'String id = display("first");\nupdateDisplay(id, "second");')
    assert r.status == "ok"
    shown = r.of("display_data")
    updated = r.of("update_display_data")
    assert shown and updated
    display_id = shown[0]["content"]["transient"]["display_id"]
    assert updated[0]["content"]["transient"]["display_id"] == display_id
    assert updated[0]["content"]["data"]["text/plain"] == '"second"'


@pytest.mark.parametrize("code", ["Thread.sleep(60_000);", "long n = 0; while (true) { n++; }"])
def test_interrupt_stops_the_cell_and_keeps_state(kernel, code):
    km, kc = kernel
    run(kc, "int keptAcrossInterrupt = 5;")
    msg_id = kc.execute(code)
    time.sleep(0.5)
    started = time.monotonic()
    km.interrupt_kernel()
    error = None
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            error = msg["content"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    assert time.monotonic() - started < 30  # far below the 60 s sleep and the endless loop: the interrupt ended them
    assert error is not None and "Interrupted" in "".join(error["traceback"])
    assert run(kc, "keptAcrossInterrupt").result["text/plain"] == "5"


def test_bad_inputs_give_one_message_and_keep_state(kernel):
    _, kc = kernel
    run(kc, "int survivor = 99;")
    unbalanced = run(kc, "void f() {\n  System.out.println(1);\n")
    assert "unbalanced" in unbalanced.error_text
    unknown = run(kc, "%nosuchmagic")
    assert "unknown line magic %nosuchmagic" in unknown.error_text
    wrong_args = run(kc, "%classpath")
    assert "missing PATH" in wrong_args.error_text and "usage" in wrong_args.error_text
    bad_option = run(kc, "%lsmagic --all")
    assert "unknown option --all" in bad_option.error_text
    exiting = run(kc, "System.exit(0);")
    assert "System.exit" in exiting.error_text
    assert run(kc, "survivor").result["text/plain"] == "99"


def test_a_value_whose_rendering_throws_is_shown_as_text(kernel):
    _, kc = kernel
    r = run(kc, 'class Bad { public String toString() { throw new IllegalStateException("boom"); } }\nnew Bad()')
    assert r.status == "ok"
    assert "toString failed" in r.result["text/plain"]


def test_a_cell_printing_100_mb_is_truncated(kernel):
    _, kc = kernel
    r = run(kc, 'String line = "x".repeat(999);\nfor (int i = 0; i < 100_000; i++) System.out.println(line);\n"done"', timeout=120)
    assert r.status == "ok"
    assert r.result["text/plain"] == '"done"'
    assert "output truncated" in r.stdout
    assert len(r.stdout) < 10 * 1024 * 1024
    assert len(r.of("stream")) < 2000  # batched, not one message per line


def test_wrong_signature_is_rejected(kernel):
    km, kc = kernel
    info = km.get_connection_info(session=False)
    bad = Session(key=b"not-the-right-key", signature_scheme=info["signature_scheme"])
    import zmq
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.DEALER)
    sock.connect(f"{info['transport']}://{info['ip']}:{info['shell_port']}")
    try:
        msg = bad.msg("execute_request", {"code": "int forged = 1;", "silent": False, "store_history": True,
                                          "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        bad.send(sock, msg)
        assert sock.poll(2000) == 0, "the kernel answered a message with a wrong signature"
    finally:
        sock.close(0)
    forged = run(kc, "forged")
    assert forged.status == "error"  # the forged cell never ran
    assert run(kc, "1 + 1").result["text/plain"] == "2"


def test_restart_gives_a_fresh_kernel():
    km = jupyter_client.KernelManager(kernel_name=KERNEL)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        run(kc, "int beforeRestart = 1;")
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=60)
        assert run(kc, "beforeRestart").status == "error"
        assert run(kc, "2 + 2").result["text/plain"] == "4"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_shutdown_request_ends_the_process():
    km = jupyter_client.KernelManager(kernel_name=KERNEL)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    kc.shutdown()
    deadline = time.monotonic() + 15
    while km.is_alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = km.is_alive()
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    assert not alive


def test_kernel_exits_when_its_parent_dies(tmp_path):
    spec = jupyter_client.kernelspec.KernelSpecManager().get_kernel_spec(KERNEL)
    conn_file = tmp_path / "conn.json"
    jupyter_client.write_connection_file(str(conn_file))
    argv = [a.replace("{connection_file}", str(conn_file)) for a in spec.argv]
    parent = subprocess.Popen(["sleep", "600"])
    kernel = subprocess.Popen(argv, env={**os.environ, "JPY_PARENT_PID": str(parent.pid)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(3)
        assert kernel.poll() is None, "kernel died before its parent"
        parent.kill()
        parent.wait()
        kernel.wait(timeout=20)
    finally:
        if kernel.poll() is None:
            os.killpg(kernel.pid, signal.SIGKILL)
    assert kernel.returncode is not None


def _notebook(tmp_path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Java (StreamLab)", "language": "java"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / "check.ipynb"
    nbformat.write(nb, path)
    return path


def _nbconvert(path):
    return subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                           "--output", str(path.with_suffix(".out.ipynb")), str(path)],
                          capture_output=True, text=True, timeout=300)


def test_failing_check_makes_nbconvert_fail(tmp_path):
    path = _notebook(tmp_path, ["int total = 2 + 2;",
                                '%%check total-is-five\nif (total != 5) throw new AssertionError("expected 5, got " + total);'])
    result = _nbconvert(path)
    assert result.returncode != 0
    assert "FAIL total-is-five: expected 5, got 4" in result.stderr + result.stdout


def test_passing_check_lets_nbconvert_succeed(tmp_path):
    path = _notebook(tmp_path, ["int total = 2 + 3;",
                                '%%check total-is-five\nif (total != 5) throw new AssertionError("expected 5, got " + total);'])
    result = _nbconvert(path)
    assert result.returncode == 0, result.stderr
    out = nbformat.read(path.with_suffix(".out.ipynb"), as_version=4)
    assert "PASS total-is-five" in out.cells[1].outputs[0]["text"]


def test_library_classes_compile_on_first_use(kernel):
    _, kc = kernel
    assert run(kc, 'var declaredBefore = new ArrayList<String>(List.of("x"));').status == "ok"
    imported = run(kc, 'import org.apache.kafka.clients.producer.ProducerRecord;\n'
                       'new ProducerRecord<String, String>("orders", "k1", "v1").topic()')
    assert imported.status == "ok", imported.error_text
    assert imported.result["text/plain"] == '"orders"'
    qualified = run(kc, "org.apache.flink.api.common.typeinfo.Types.STRING.getTypeClass().getSimpleName()")
    assert qualified.status == "ok", qualified.error_text
    assert qualified.result["text/plain"] == '"String"'
    # giving the compiler more jars must not reset what earlier cells defined
    assert run(kc, "declaredBefore.size()").result["text/plain"] == "1"
    missing = run(kc, "org.nosuch.Thing.run()")
    assert "package org.nosuch does not exist" in missing.error_text
