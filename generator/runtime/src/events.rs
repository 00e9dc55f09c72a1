//! Server-sent events: an answer in `text/event-stream` read as a stream of
//! events whose `data` decodes into the operation's event type.
//!
//! The parsing of the event stream itself (fields, comments, line endings,
//! events split across chunks) is `eventsource-stream`'s. A `data` of
//! `[DONE]`, the end marker several streaming APIs send, ends the stream.

use std::fmt::Debug;
use std::pin::Pin;
use std::task::{Context, Poll};

use eventsource_stream::{EventStreamError, Eventsource};
use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;

use crate::{ByteStream, Error, RawBody, ResponseMeta};

/// One event of a stream, its `data` decoded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServerEvent<T> {
    /// The event's type (its `event:` field); `message` when the server
    /// sent none.
    pub event: String,
    /// The event's id (its `id:` field); empty when none.
    pub id: String,
    /// The event's `data`, decoded.
    pub data: T,
}

type Events<T, E> = Pin<Box<dyn Stream<Item = Result<ServerEvent<T>, Error<E>>> + Send>>;

/// The events of an answer, in order, as a [`Stream`]. An event whose
/// `data` does not decode is an [`Error::Decode`] item holding the data as
/// received, and the stream goes on; a connection that drops ends it with
/// [`Error::IncompleteBody`].
pub struct EventStream<T, E: Debug> {
    meta: ResponseMeta,
    inner: Events<T, E>,
}

impl<T, E: Debug> Debug for EventStream<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("status", &self.meta.status)
            .finish_non_exhaustive()
    }
}

impl<T, E> EventStream<T, E>
where
    T: DeserializeOwned + Send + 'static,
    E: Debug + Send + 'static,
{
    /// The events of a streamed answer.
    #[doc(hidden)]
    pub fn new(bytes: ByteStream<E>) -> Self {
        let meta = bytes.meta().clone();
        let for_items = meta.clone();
        let inner = bytes
            .into_stream()
            .eventsource()
            .take_while(|item| {
                let done = matches!(item, Ok(event) if event.data.trim() == "[DONE]");
                std::future::ready(!done)
            })
            .map(move |item| event(item, &for_items))
            .boxed();
        EventStream { meta, inner }
    }

    /// The status, headers and attempts of the answer.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }
}

/// One parsed event, decoded.
fn event<T: DeserializeOwned, E: Debug>(
    item: Result<eventsource_stream::Event, EventStreamError<Error<E>>>,
    meta: &ResponseMeta,
) -> Result<ServerEvent<T>, Error<E>> {
    let unreadable = |message: String, body: Vec<u8>| Error::Decode {
        status: meta.status,
        path: ".".into(),
        body: RawBody(body),
        source: <serde_json::Error as serde::de::Error>::custom(message),
        meta: Box::new(meta.clone()),
    };
    match item {
        Ok(event) => match crate::decode::from_slice::<T>(event.data.as_bytes()) {
            Ok(data) => Ok(ServerEvent {
                event: event.event,
                id: event.id,
                data,
            }),
            Err(e) => Err(Error::Decode {
                status: meta.status,
                path: e.path,
                body: RawBody(event.data.into_bytes()),
                source: e.source,
                meta: Box::new(meta.clone()),
            }),
        },
        Err(EventStreamError::Transport(e)) => Err(e),
        Err(EventStreamError::Utf8(e)) => {
            let bytes = e.into_bytes();
            Err(unreadable("an event that is not UTF-8".into(), bytes))
        }
        Err(EventStreamError::Parser(e)) => Err(unreadable(
            format!("a line that is not an event field: {e}"),
            Vec::new(),
        )),
    }
}

impl<T, E: Debug> Stream for EventStream<T, E> {
    type Item = Result<ServerEvent<T>, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}
