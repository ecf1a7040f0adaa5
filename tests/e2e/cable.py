"""A cable between a desk and the clinic's server, on 127.0.0.1, that a test can cut and mend.

Cut, it drops every connection it carries and answers nothing on the ones that come after (as a
dead switch would: they hang); mended, it carries new connections again.
"""
import socket
import threading


class Cable:
    def __init__(self, listen_port, server_host, server_port):
        self.server = (server_host, server_port)
        self.is_cut = False
        self.lock = threading.Lock()
        self.carried = []  # sockets of live connections
        self.held = []  # connections accepted while cut, never answered
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", listen_port))
        self.sock.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            desk, _ = self.sock.accept()
            with self.lock:
                if self.is_cut:
                    self.held.append(desk)
                    continue
            try:
                server = socket.create_connection(self.server)
            except OSError:
                desk.close()
                continue
            with self.lock:
                self.carried += [desk, server]
            threading.Thread(target=self._pump, args=(desk, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, desk), daemon=True).start()

    @staticmethod
    def _pump(source, dest):
        try:
            while data := source.recv(65536):
                dest.sendall(data)
        except OSError:
            pass
        for s in (source, dest):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        with self.lock:
            self.is_cut = True
            for s in self.carried:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.carried = []

    def mend(self):
        with self.lock:
            self.is_cut = False
            for s in self.held:
                s.close()
            self.held = []
