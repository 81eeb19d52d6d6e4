package dev.icetune.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A server on PostgreSQL's port that accepts connections and never answers: a hung database. */
public final class SilentServer
        implements AutoCloseable
{
    private final ServerSocket socket;
    private final List<Socket> held = Collections.synchronizedList(new ArrayList<>());
    private final Thread acceptor;

    public SilentServer(int port)
            throws IOException
    {
        socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress("127.0.0.1", port));
        acceptor = Thread.ofVirtual().start(() -> {
            while (!socket.isClosed()) {
                try {
                    held.add(socket.accept());
                }
                catch (IOException closed) {
                    return;
                }
            }
        });
    }

    public int accepted()
    {
        return held.size();
    }

    @Override
    public void close()
            throws InterruptedException
    {
        try {
            socket.close();
            for (Socket each : held) {
                each.close();
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor.join();
    }
}
