//! A real server on an ephemeral port, for tests that talk HTTP over the network.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use boussole::api::{serve_on, ServeConfig};
use boussole::search::{Engine, LiveEngine};
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
        Server::start_live(LiveEngine::fixed(engine().await), config).await
    }

    /// A server over a swappable engine (reload tests).
    pub async fn start_live(live: Arc<LiveEngine>, config: ServeConfig) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_on(listener, live, config, async move {
            let _ = stopped.await;
        }));
        Server { addr, stop: Some(stop), task }
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
