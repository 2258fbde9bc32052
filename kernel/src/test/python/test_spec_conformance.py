"""Every reply validated against the Jupyter messaging spec's schemas (jupyter_kernel_test's msgspec_v5).

jupyter_kernel_test (pinned in tools/requirements.txt) drives the real kernel through jupyter_client and checks each
reply and IOPub message it receives; the tests below add the replies its KernelTests do not cover (comm_info,
interrupt, shutdown, an error reply, an inspect that finds nothing)."""
import unittest

import jupyter_client
import jupyter_kernel_test
from jupyter_kernel_test.msgspec_v5 import validate_message

from conftest import KERNEL

TIMEOUT = 60


class StreamLabSpecTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL
    language_name = "java"
    file_extension = ".java"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("oops");'
    code_generate_error = 'throw new IllegalStateException("boom");'
    code_execute_result = [{"code": "6 * 7", "result": "42"}, {"code": '"a" + "b"', "result": '"ab"'}]
    code_display_data = [{"code": 'display(html("<b>hi</b>"));', "mime": "text/html"}]
    completion_samples = [{"text": "Math.ab"}, {"text": "%lsma", "matches": ["lsmagic"]}]
    complete_code_samples = ["int x = 1;", "1 + 1", "%lsmagic"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int y ="]
    invalid_code_samples = ["}", "int x = ;"]
    code_inspect_sample = "Math.max"
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 *"

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = jupyter_client.manager.start_new_kernel(kernel_name=cls.kernel_name,
                                                                 startup_timeout=TIMEOUT)

    def reply_to(self, msg_id, msg_type):
        reply = self.get_non_kernel_info_reply(timeout=TIMEOUT)
        validate_message(reply, msg_type, msg_id)
        return reply["content"]

    def test_kernel_info_has_every_required_field(self):
        self.flush_channels()
        msg_id = self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        validate_message(reply, "kernel_info_reply", msg_id)
        content = reply["content"]
        self.assertEqual(content["status"], "ok")
        self.assertTrue(content["protocol_version"].startswith("5."))
        for key in ("name", "version", "mimetype", "file_extension"):
            self.assertIn(key, content["language_info"])

    def test_history_reply(self):
        self.execute_helper("int historyProbe = 1;")
        msg_id = self.kc.history(hist_access_type="tail", n=5, output=False, raw=True)
        content = self.reply_to(msg_id, "history_reply")
        self.assertEqual(content["status"], "ok")
        self.assertIn("int historyProbe = 1;", [h[2] for h in content["history"]])
        msg_id = self.kc.history(hist_access_type="tail", n=1, output=True, raw=True)
        content = self.reply_to(msg_id, "history_reply")
        self.assertEqual(len(content["history"][0][2]), 2)  # (input, output)

    def test_complete_reply_has_metadata(self):
        content = self.reply_to(self.kc.complete("Math.ab", 7), "complete_reply")
        self.assertIsInstance(content["metadata"], dict)
        self.assertIn("abs(", "".join(content["matches"]))

    def test_inspect_reply_when_nothing_is_found(self):
        content = self.reply_to(self.kc.inspect("   ", 1), "inspect_reply")
        self.assertEqual(content["status"], "ok")
        self.assertFalse(content["found"])

    def test_is_complete_incomplete_carries_indent(self):
        content = self.reply_to(self.kc.is_complete("if (true) {"), "is_complete_reply")
        self.assertEqual(content["status"], "incomplete")
        self.assertIsInstance(content["indent"], str)

    def test_comm_info_reply(self):
        content = self.reply_to(self.kc.comm_info(), "comm_info_reply")
        self.assertEqual(content["status"], "ok")
        self.assertIsInstance(content["comms"], dict)

    def test_error_execute_reply(self):
        reply, outputs = self.execute_helper(self.code_generate_error)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], outputs[0]["content"]["ename"])

    def test_interrupt_reply(self):
        msg = self.kc.session.msg("interrupt_request", {})
        self.kc.control_channel.send(msg)
        reply = self.kc.get_control_msg(timeout=TIMEOUT)
        validate_message(reply, "interrupt_reply", msg["header"]["msg_id"])
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(self.execute_helper("1 + 1")[0]["content"]["status"], "ok")


class ShutdownReplyTest(unittest.TestCase):
    def test_shutdown_reply(self):
        km, kc = jupyter_client.manager.start_new_kernel(kernel_name=KERNEL, startup_timeout=TIMEOUT)
        try:
            msg = kc.session.msg("shutdown_request", {"restart": False})
            kc.control_channel.send(msg)
            reply = kc.get_control_msg(timeout=TIMEOUT)
            validate_message(reply, "shutdown_reply", msg["header"]["msg_id"])
            self.assertEqual(reply["content"]["status"], "ok")
            self.assertFalse(reply["content"]["restart"])
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
