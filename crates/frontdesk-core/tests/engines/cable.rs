//! A TCP cable between a desk and the clinic's server on 127.0.0.1, which a test or a benchmark
//! cuts and mends (the partition test in `tests/offline/` cuts a real link).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use frontdesk_core::store::ServerAddress;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A TCP cable between a desk and the server, on 127.0.0.1: cut, it drops what it carries and
/// answers nothing (as a dead switch); mended, it carries new connections again.
pub struct Cable {
    address: SocketAddr,
    cut: Arc<AtomicBool>,
    lines: Arc<Mutex<Vec<JoinHandle<()>>>>,
    _accept: JoinHandle<()>,
}

impl Cable {
    pub async fn to(server: SocketAddr) -> Cable {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let lines: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (is_cut, held) = (cut.clone(), lines.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut desk, _)) = listener.accept().await {
                let is_cut = is_cut.clone();
                let line = tokio::spawn(async move {
                    if is_cut.load(Ordering::SeqCst) {
                        // Nothing answers: the connection hangs until the desk gives up.
                        std::future::pending::<()>().await;
                    }
                    let Ok(mut server) = TcpStream::connect(server).await else { return };
                    let _ = tokio::io::copy_bidirectional(&mut desk, &mut server).await;
                });
                held.lock().unwrap().push(line);
            }
        });
        Cable { address, cut, lines, _accept: accept }
    }

    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for line in self.lines.lock().unwrap().drain(..) {
            line.abort();
        }
    }

    pub fn mend(&self) {
        self.cut.store(false, Ordering::SeqCst);
        for line in self.lines.lock().unwrap().drain(..) {
            line.abort();
        }
    }

    /// The server's address through this cable.
    pub fn address(&self, url: &str) -> ServerAddress {
        let through = url.replace(&server_of(url).to_string(), &self.address.to_string());
        ServerAddress::parse(&through).unwrap()
    }
}

/// The `host:port` of a `postgres://user:password@host:port/database` address.
pub fn server_of(url: &str) -> SocketAddr {
    let after_user = url.rsplit_once('@').unwrap().1;
    after_user.split('/').next().unwrap().parse().unwrap()
}
