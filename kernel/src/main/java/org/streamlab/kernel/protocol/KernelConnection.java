package org.streamlab.kernel.protocol;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.JupyterSocket;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.publish.PublishStatus;
import org.zeromq.ZMQ;

/** jjava-jupyter's connection with shell and control channels that block on their sockets (no polling). */
public final class KernelConnection extends JupyterConnection {
    private final KernelConnectionProperties props;
    private final ZMQ.Context context = ZMQ.context(1);
    private final BlockingShellChannel shellChannel;
    private final BlockingShellChannel controlChannel;
    private volatile boolean connected;
    private volatile boolean closed;

    public KernelConnection(KernelConnectionProperties props) throws NoSuchAlgorithmException, InvalidKeyException {
        super(props);
        this.props = props;
        HMACGenerator hmac = props.createHMACGenerator();
        this.shellChannel = new BlockingShellChannel(context, hmac, false, this);
        this.controlChannel = new BlockingShellChannel(context, hmac, true, this);
    }

    @Override
    public synchronized void connect() {
        if (connected) {
            return;
        }
        heartbeat.bind(props);
        iopub.bind(props);
        stdin.bind(props);
        shellChannel.bind(props);
        controlChannel.bind(props);
        getIOPub().sendMessage(new Message<>(null, PublishStatus.MESSAGE_TYPE, PublishStatus.STARTING));
        connected = true;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (JupyterSocket s : new JupyterSocket[] {shellChannel, controlChannel}) {
            s.close();
        }
        super.close(); // closes heartbeat, stdin, iopub and the unused default channels
        context.close();
    }

    @Override
    public void waitUntilClose() {
        shellChannel.waitUntilClose();
        controlChannel.waitUntilClose();
    }
}
