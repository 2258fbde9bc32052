import os
import shutil
import tempfile

import jupyter_client
import pytest

KERNEL = os.environ.get("STREAMLAB_KERNEL", "streamlab")


@pytest.fixture(scope="module")
def workspace():
    d = tempfile.mkdtemp(prefix="streamlab-proto-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def kernel(workspace):
    km = jupyter_client.KernelManager(kernel_name=KERNEL)
    km.start_kernel(env={**os.environ, "STREAMLAB_WORKSPACE": workspace}, cwd=workspace)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


class Run:
    """What one execute_request produced on IOPub, in order."""

    def __init__(self, reply, msgs):
        self.reply = reply
        self.msgs = msgs

    @property
    def status(self):
        return self.reply["content"]["status"]

    def of(self, kind):
        return [m for m in self.msgs if m["msg_type"] == kind]

    @property
    def stdout(self):
        return "".join(m["content"]["text"] for m in self.of("stream") if m["content"]["name"] == "stdout")

    @property
    def stderr(self):
        return "".join(m["content"]["text"] for m in self.of("stream") if m["content"]["name"] == "stderr")

    @property
    def result(self):
        r = self.of("execute_result")
        return r[0]["content"]["data"] if r else None

    @property
    def error(self):
        e = self.of("error")
        return e[0]["content"] if e else None

    @property
    def error_text(self):
        import re
        e = self.error
        return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(e["traceback"])) if e else ""


def run(kc, code, timeout=60):
    msg_id = kc.execute(code)
    msgs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        msgs.append(msg)
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    return Run(reply, msgs)
