//! The methods every generated crate prints alike, as macros the generated
//! code invokes (through `__private`): a request builder's call options and
//! sending, and the settings of the client builder that the runtime keeps.

/// The methods every request builder has: the call options, `send`,
/// `send_with_meta` and `IntoFuture`.
///
/// The builder is a struct with the lifetime `'a`, a `client: &'a Client`
/// field and an `options: CallOptions` field, and has `const SPEC: OpSpec`
/// and `fn parts(&self) -> Result<Parts, Error<E>>`; `$decode` names the
/// `decode_*` function of its success body.
#[macro_export]
#[doc(hidden)]
macro_rules! __request_builder {
    ($builder:ident, $ok:ty, $error:ty, $decode:ident, $send_doc:literal) => {
        impl<'a> $builder<'a> {
            /// Uses this retry policy for this call instead of the client's.
            pub fn retry(mut self, policy: $crate::RetryPolicy) -> Self {
                self.options.retry = Some(policy);
                self
            }

            /// Sets how long this whole call may take (every attempt, the
            /// waits between them and reading the body), instead of the
            /// client's timeout.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Sets how long each attempt of this call may take, instead of
            /// the client's attempt timeout.
            pub fn attempt_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options.attempt_timeout = Some(timeout);
                self
            }

            /// Sets the largest body this call reads, in bytes, instead of
            /// the client's limit.
            pub fn max_body_size(mut self, bytes: u64) -> Self {
                self.options.max_body_size = Some(bytes);
                self
            }

            #[doc = $send_doc]
            pub async fn send(self) -> ::std::result::Result<$ok, $crate::Error<$error>> {
                self.send_with_meta()
                    .await
                    .map($crate::Response::into_value)
            }

            /// Sends the request like `send`, and also returns the
            /// response's status, headers and the number of attempts.
            pub async fn send_with_meta(
                self,
            ) -> ::std::result::Result<$crate::Response<$ok>, $crate::Error<$error>> {
                $crate::__private::$decode(
                    $crate::__private::send(
                        self.client.core(),
                        &Self::SPEC,
                        self.parts()?,
                        &self.options,
                    )
                    .await?,
                )
            }
        }

        /// `.await` on the builder sends it, like `.send().await`.
        impl<'a> ::std::future::IntoFuture for $builder<'a> {
            type Output = ::std::result::Result<$ok, $crate::Error<$error>>;
            type IntoFuture = $crate::__private::BoxFuture<'a, Self::Output>;

            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    };
}

/// The settings every client builder forwards to its `core: CoreBuilder`
/// field: base URL, retry policy, hooks, timeouts, body limits and the HTTP
/// client. Invoked inside `impl ClientBuilder`.
#[macro_export]
#[doc(hidden)]
macro_rules! __client_builder_methods {
    () => {
        /// Sends requests to another base URL (a proxy or a test server).
        /// A trailing `/` is ignored.
        pub fn base_url(
            mut self,
            base_url: impl ::std::convert::Into<::std::string::String>,
        ) -> Self {
            self.core = self.core.base_url(base_url);
            self
        }

        /// Sets the retry policy for every call (calls can set their own).
        pub fn retry(mut self, policy: $crate::RetryPolicy) -> Self {
            self.core = self.core.retry(policy);
            self
        }

        /// Adds a hook that sees (and may change) every request before it is
        /// sent and every outcome after: for extra headers, tracing or
        /// metrics. Hooks run in the order they were added.
        pub fn hook(mut self, hook: impl $crate::Hook + 'static) -> Self {
            self.core = self.core.hook(hook);
            self
        }

        /// Sets how long a whole call may take: every attempt, the waits
        /// between them and reading the body
        /// ([`DEFAULT_TIMEOUT`](crate::DEFAULT_TIMEOUT) unless set; calls
        /// can set their own).
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.core = self.core.timeout(timeout);
            self
        }

        /// Sets how long one attempt may take, reading its body included
        /// ([`DEFAULT_ATTEMPT_TIMEOUT`](crate::DEFAULT_ATTEMPT_TIMEOUT)
        /// unless set; calls can set their own).
        pub fn attempt_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.core = self.core.attempt_timeout(timeout);
            self
        }

        /// Sets how long connecting may take
        /// ([`DEFAULT_CONNECT_TIMEOUT`](crate::DEFAULT_CONNECT_TIMEOUT) unless set).
        pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.core = self.core.connect_timeout(timeout);
            self
        }

        /// Sets the largest JSON, text or error body read, in bytes
        /// ([`DEFAULT_MAX_BODY_SIZE`](crate::DEFAULT_MAX_BODY_SIZE) unless
        /// set; calls can set their own).
        pub fn max_body_size(mut self, bytes: u64) -> Self {
            self.core = self.core.max_body_size(bytes);
            self
        }

        /// Sets the largest binary body (a download) read into memory, in
        /// bytes ([`DEFAULT_MAX_DOWNLOAD_SIZE`](crate::DEFAULT_MAX_DOWNLOAD_SIZE)
        /// unless set).
        pub fn max_download_size(mut self, bytes: u64) -> Self {
            self.core = self.core.max_download_size(bytes);
            self
        }

        /// Uses this `reqwest` client (its pool, proxy, TLS and redirect
        /// settings) instead of a new one. The client this builder makes
        /// follows no redirects and connects within the connect timeout;
        /// one of your own keeps whatever you chose (reqwest's default
        /// follows up to 10 redirects, dropping credentials across hosts).
        /// Call and attempt timeouts and body limits apply either way.
        pub fn http_client(mut self, http: $crate::reqwest::Client) -> Self {
            self.core = self.core.http_client(http);
            self
        }
    };
}
