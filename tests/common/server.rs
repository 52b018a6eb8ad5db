//! A real server on an ephemeral port, for tests that talk HTTP over the network.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use boussole::api::{serve_on, ServeConfig};
use boussole::search::Engine;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The shared fixture engine, loaded off the async workers.
pub async fn engine() -> Arc<Engine> {
    tokio::task::spawn_blocking(super::engine).await.expect("engine loads")
}

/// A server on an ephemeral port, stopped by sending on (or dropping) the sender.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn start(config: ServeConfig) -> Server {
        let engine = engine().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_on(listener, engine, config, async move {
            let _ = stopped.await;
        }));
        Server {
            addr,
            stop: Some(stop),
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(60), self.task)
            .await
            .expect("server stops in time")
            .expect("server task")
            .expect("server ran");
    }
}
