//! The server over real TCP connections: slow and idle clients are cut off (header and body timeouts), the
//! number of open connections is capped, and a full workspace queue answers 503 with `Retry-After` at once
//! instead of buffering without limit. Each test starts its own server on a free loopback port.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;
use wijkmonitor_readmodel::Snapshot;
use wijkmonitor_store::Store;
use wijkmonitor_web::work::Work;
use wijkmonitor_web::{App, Config};

/// Starts a server with a workspace over an empty database; returns its address.
fn start(config: Config) -> SocketAddr {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = Store::open(&dir.path().join("w.db")).expect("database");
    let snapshot = Snapshot::load(&store, None, None).expect("snapshot");
    let work = Work::new(store, &snapshot).with_areas(vec![("heerlen-noord".into(), "Heerlen-Noord".into())]);
    let app = Arc::new(App::new(snapshot, Some(work), config));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _keep = dir;
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("address")).expect("send");
            let _ = wijkmonitor_web::server::serve_listener(app, listener).await;
        });
    });
    rx.recv_timeout(Duration::from_secs(10)).expect("the server starts")
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    s
}

/// Reads until the peer closes (or the read timeout), returning what came.
fn read_all(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the server closed the connection (a read returns end of file) within the read timeout.
fn closed(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(_) => return false,
        }
    }
}

fn quick() -> Config {
    Config { header_timeout: Duration::from_millis(300), body_timeout: Duration::from_millis(300), ..Config::default() }
}

#[test]
fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let addr = start(quick());
    let mut s = connect(addr);
    s.write_all(b"GET /aanmelden HTTP/1.1\r\nHost: x\r\n").expect("write");
    assert!(closed(&mut s), "the connection stays open with half a request");
    // An idle connection after a request is closed too.
    let mut s = connect(addr);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").expect("write");
    let mut first = [0u8; 12];
    s.read_exact(&mut first).expect("an answer");
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(closed(&mut s), "an idle keep-alive connection stays open");
}

#[test]
fn a_body_that_does_not_arrive_gets_408() {
    let addr = start(quick());
    let mut s = connect(addr);
    s.write_all(
        b"POST /aanmelden HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a",
    )
    .expect("write");
    let answer = read_all(&mut s);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[test]
fn a_full_queue_answers_503_with_retry_after() {
    let addr = start(Config { work_queue: 0, ..quick() });
    let mut s = connect(addr);
    s.write_all(b"GET /werk HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("write");
    let answer = read_all(&mut s);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("retry-after: 2"), "{answer}");
    // The public side does not queue behind the workspace.
    let mut s = connect(addr);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("write");
    assert!(read_all(&mut s).starts_with("HTTP/1.1 200"));
}

#[test]
fn open_connections_are_capped() {
    let addr = start(Config { max_connections: 2, header_timeout: Duration::from_secs(5), ..Config::default() });
    let held: Vec<TcpStream> = (0..2).map(|_| connect(addr)).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut third = connect(addr);
    third.set_read_timeout(Some(Duration::from_millis(700))).expect("timeout");
    third.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("write");
    let mut buf = [0u8; 16];
    assert!(third.read(&mut buf).is_err(), "a third connection is served while two are open");
    drop(held);
    third.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let answer = read_all(&mut third);
    assert!(answer.starts_with("HTTP/1.1 200"), "once one closes, the waiting one is served: {answer}");
}
