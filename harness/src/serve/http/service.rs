//! The HTTP/1.1 server of the pools: hyper, over any stream that implements tokio's
//! `AsyncRead` and `AsyncWrite` (every backend's [`pool_core::net::TcpStream`], and
//! tokio's own on tokio-mt, through the same adapter).

use std::convert::Infallible;
use std::future::{ready, Ready};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, DATE, SERVER};
use hyper::server::conn::http1;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

use super::{date, plaintext};
use crate::serve::ServerStats;

/// Serves HTTP/1.1 keep-alive on `stream` until the peer closes: `GET /plaintext`
/// answers `Hello, World!`, any other request a `404 Not Found`. A malformed request
/// gets hyper's `400 Bad Request` and the connection is closed. Each answered request
/// counts as `msg_size` bytes on the calling worker ([`ServerStats::echoed`]).
///
/// # Errors
///
/// hyper's error: a malformed request, a reset peer, a peer that closed mid-request.
///
/// # Idle connections
///
/// hyper gets no timer here, so its header read timeout is off: an idle keep-alive
/// connection stays open until the peer closes it, as the echo's do.
pub async fn serve_http<S>(stream: S, stats: &ServerStats, msg_size: usize) -> hyper::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let service = hyper::service::service_fn(
        |request: Request<Incoming>| -> Ready<Result<_, Infallible>> {
            stats.echoed(msg_size);
            ready(Ok(answer(&request)))
        },
    );
    http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await
}

/// The answer to `request`.
fn answer(request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let ok = request.method() == Method::GET && request.uri().path() == plaintext::PATH;
    let (status, body) = if ok {
        (StatusCode::OK, Bytes::from_static(plaintext::BODY))
    } else {
        (StatusCode::NOT_FOUND, Bytes::new())
    };
    let length = HeaderValue::from(body.len());
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(plaintext::CONTENT_TYPE),
    );
    headers.insert(CONTENT_LENGTH, length);
    headers.insert(SERVER, HeaderValue::from_static(plaintext::SERVER));
    if let Ok(date) = HeaderValue::from_maybe_shared(date::now()) {
        headers.insert(DATE, date);
    }
    response
}
