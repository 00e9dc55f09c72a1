//! The intermediate representation: what the emitter needs, nothing about YAML.
//!
//! The lowering stage produces an [`Api`] per target crate. Every type is
//! already merged across fragments and has its final Rust name; every
//! operation has its parameters in their final order. The emitter turns this
//! into Rust code without consulting the fragments again.

use std::collections::{BTreeMap, BTreeSet};

/// A whole generated crate.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// Crate-level settings.
    pub target: TargetInfo,
    /// Every type, keyed by its Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// Every operation, sorted by method name.
    pub operations: Vec<Operation>,
    /// The inbound webhook, if the target has one.
    pub webhook: Option<Webhook>,
    /// The requests the API sends that the document describes: its
    /// top-level `webhooks` and its operations' `callbacks`, each with a
    /// parse function in the `webhooks` module.
    pub inbound: Vec<Inbound>,
    /// Diagnostics that did not stop generation (sorted by file and pointer).
    pub warnings: Vec<crate::SpecError>,
    /// Which area feature compiles each item (empty without area features).
    pub features: Features,
    /// What degrade mode left out; zero otherwise.
    pub skipped: Skipped,
}

/// What degrade mode left out (each with a warning in [`Api::warnings`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Operations left out.
    pub operations: usize,
    /// Named schemas read as any JSON value instead.
    pub schemas: usize,
}

/// Where a schema was defined: a fragment (its path relative to `specs/`,
/// with `/` separators) and a JSON pointer in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Source {
    /// The fragment's path (`whatsapp/messages.yaml`).
    pub fragment: String,
    /// The JSON pointer (`#/components/schemas/Message`).
    pub pointer: String,
}

impl std::fmt::Display for Source {
    /// `fragment#/pointer`, as a JSON reference would name it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.fragment, self.pointer)
    }
}

/// The struct a type names, if it is one.
pub fn struct_def<'a>(types: &'a BTreeMap<String, TypeDef>, ty: &Ty) -> Option<&'a StructDef> {
    match ty {
        Ty::Named(n) => match &types.get(n)?.kind {
            TypeKind::Struct(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// The type an alias stands for, through chains of aliases (two aliases of
/// `i64` are one Rust type).
pub fn resolve_alias(types: &BTreeMap<String, TypeDef>, ty: &Ty) -> Ty {
    let mut ty = ty.clone();
    // A chain is no longer than the number of types (`lower` rejects alias
    // cycles).
    for _ in 0..=types.len() {
        match &ty {
            Ty::Named(n) => match types.get(n).map(|d| &d.kind) {
                Some(TypeKind::Alias(next)) => ty = next.clone(),
                _ => break,
            },
            _ => break,
        }
    }
    ty
}

/// The feature that turns on `webhooks::routes` (ready-made `axum` routes).
pub const AXUM_FEATURE: &str = "axum";

/// Which cargo feature compiles each item of a crate with area features
/// (`lower::features`): one feature per fragment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    /// Every feature, sorted. Empty when the target has no area features.
    pub features: Vec<String>,
    /// Feature of each operation, by operationId.
    pub operations: BTreeMap<String, String>,
    /// The features that compile each type, by type name.
    pub types: BTreeMap<String, BTreeSet<String>>,
    /// The feature of the inbound webhook, if there is one.
    pub webhook: Option<String>,
    /// The fragment each feature is named after, by feature.
    pub fragments: BTreeMap<String, String>,
}

/// An inbound operation: the API calls the user's server with this payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// The operationId.
    pub operation_id: String,
    /// The payload type.
    pub payload: Ty,
    /// The signature header.
    pub signature_header: String,
    /// The fragment it comes from.
    pub source: String,
}

/// Crate-level settings, from the configuration and the fragments.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInfo {
    /// Package name (`whatsapp-cloud-api`).
    pub crate_name: String,
    /// Library name (`whatsapp_cloud_api`).
    pub lib_name: String,
    /// One line describing the crate.
    pub description: String,
    /// The default base URL, without a trailing slash.
    pub base_url: String,
    /// How requests are authenticated.
    pub auth: Auth,
    /// Path parameters that are client configuration.
    pub client_params: Vec<ClientParam>,
    /// The fragments the crate was generated from, relative to `specs/`.
    pub fragments: Vec<String>,
    /// The error code table, if the target has one.
    pub errors: Option<ErrorTable>,
    /// Emit `tests/operations.rs`, the per-operation mock-server tests.
    pub mock_tests: bool,
    /// One cargo feature per fragment.
    pub area_features: bool,
    /// Extra development dependencies: name and TOML value.
    pub dev_dependencies: Vec<(String, String)>,
    /// Optional dependencies: name and TOML value (with `optional = true`).
    pub optional_dependencies: Vec<(String, String)>,
    /// Features off by default: name, what it adds, what it turns on.
    pub opt_in_features: Vec<crate::config::OptInFeature>,
    /// Hand-written examples: name and required features.
    pub examples: Vec<(String, Vec<String>)>,
    /// Hand-written modules copied into the crate (`[[target.extensions]]`).
    pub extensions: Vec<ExtensionModule>,
    /// Where the crate's `Cargo.toml` takes the runtime from.
    pub runtime: RuntimeSource,
    /// For a crate `cargo xtask generate` wrote: the document it comes from.
    pub document: Option<Document>,
    /// Other generated crates whose types this one uses ([`Ty::Extern`]).
    pub dependencies: Vec<Dependency>,
}

/// A request the API sends (a webhook or a callback), and its payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    /// The webhook's name, or the operation's and the callback's.
    pub name: String,
    /// The parse function (`parse_order_created`).
    pub function: String,
    /// The payload type.
    pub ty: Ty,
    /// The description.
    pub doc: Option<String>,
    /// An operation's callback (else a top-level webhook).
    pub callback: bool,
    /// The fragment it comes from.
    pub source: String,
}

/// Where a generated crate takes the runtime crate from; every form names
/// its version too, so the crate can be published once the runtime is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeSource {
    /// A path relative to the crate (this checkout's `generator/runtime`).
    Path(String),
    /// A git repository.
    Git(String),
    /// The registry, by version alone.
    Registry,
}

/// The document a standalone crate was generated from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The document's path as the user gave it.
    pub path: String,
    /// How many other files its `$ref`s reached.
    pub other_files: usize,
    /// Where the runtime comes from.
    pub runtime: RuntimeSource,
}

/// A generated crate another one depends on, because its fragments refer to
/// that crate's schemas by `$ref` (decided by `lower`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// Package name (`whatsapp-cloud-api`).
    pub crate_name: String,
    /// Library name (`whatsapp_cloud_api`).
    pub lib_name: String,
    /// Its directory relative to the dependent crate's (`../whatsapp-cloud-api`).
    pub path: String,
    /// The area features the used types need, sorted.
    pub features: Vec<String>,
}

/// The API's error codes sorted into kinds, and the types that carry a code
/// (resolved against the generated types).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorTable {
    /// Where the codes come from.
    pub source: String,
    /// The kinds, in the order they are tried.
    pub kinds: Vec<crate::config::ErrorKind>,
    /// The types with a `kind()` method and a one-line `Display`.
    pub carriers: Vec<ErrorCarrier>,
}

impl ErrorTable {
    /// Codes the default retry policy retries whatever the method.
    pub fn rate_limit_codes(&self) -> Vec<i64> {
        self.kinds
            .iter()
            .filter(|k| k.rate_limit)
            .flat_map(|k| k.codes.iter().copied())
            .collect()
    }

    /// Codes the default retry policy retries for idempotent methods.
    pub fn transient_codes(&self) -> Vec<i64> {
        self.kinds
            .iter()
            .filter(|k| k.transient)
            .flat_map(|k| k.codes.iter().copied())
            .collect()
    }
}

/// A generated type that carries an error code.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorCarrier {
    /// The type's name.
    pub type_name: String,
    /// The numeric code (an integer field).
    pub code: FieldPath,
    /// The subcode (an integer field).
    pub subcode: Option<FieldPath>,
    /// The message (a string field).
    pub message: Option<FieldPath>,
    /// The trace id (a string field).
    pub trace: Option<FieldPath>,
    /// The transient flag (a boolean field).
    pub transient: Option<FieldPath>,
}

/// A chain of struct fields from a type down to a member, checked to exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// Each step: the Rust field name, whether it is an `Option`, and
    /// whether it is boxed.
    pub steps: Vec<PathStep>,
    /// The type of the last field.
    pub ty: Ty,
}

/// One field of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStep {
    /// The Rust field name.
    pub rust: String,
    /// The JSON member name.
    pub wire: String,
    /// The field is an `Option`.
    pub optional: bool,
    /// The field is boxed.
    pub boxed: bool,
}

impl FieldPath {
    /// The JSON pointer of the member (`/error/code`).
    pub fn pointer(&self) -> String {
        self.steps
            .iter()
            .map(|s| format!("/{}", crate::error::escape_pointer_token(&s.wire)))
            .collect()
    }
}

/// A hand-written module of the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionModule {
    /// The module name.
    pub module: String,
    /// Its file, relative to `specs/`.
    pub file: String,
    /// The area features it needs.
    pub features: Vec<String>,
    /// Its source text.
    pub source: String,
}

/// How the client authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// An API key sent in the named header.
    ApiKeyHeader {
        /// The header name, as the spec spells it.
        header: String,
    },
    /// An API key sent in the named query parameter.
    ApiKeyQuery {
        /// The parameter name.
        name: String,
    },
    /// An API key sent in the named cookie.
    ApiKeyCookie {
        /// The cookie name.
        name: String,
    },
    /// HTTP basic authentication: a user name and a password.
    Basic,
    /// No credentials.
    None,
}

/// A path parameter lifted into client configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientParam {
    /// The name in path templates (`Version`).
    pub wire: String,
    /// The Rust field and setter name (`version`).
    pub rust: String,
    /// The default value.
    pub default: String,
    /// Documentation for the setter.
    pub doc: Option<String>,
}

/// A Rust type used in a field, parameter, body or response.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty<R = String> {
    /// `String`.
    String,
    /// `i32` (`format: int32`).
    I32,
    /// `i64` (integers without `format: int32`).
    I64,
    /// `f64` (every `number`).
    F64,
    /// `bool`.
    Bool,
    /// Any JSON value: the schema really places no constraint on it.
    Json,
    /// A JSON object with arbitrary members: `type: object` and nothing else.
    JsonObject,
    /// Raw bytes (`format: binary`).
    Bytes,
    /// `Vec<T>`.
    Array(Box<Ty<R>>),
    /// An item of a received list that decodes on its own (`Item<T>`, see
    /// `lower::finish::isolate`): only ever the item type of an `Array`.
    Item(Box<Ty<R>>),
    /// A map from string keys (`additionalProperties: <schema>`).
    Map(Box<Ty<R>>),
    /// A generated type.
    Named(R),
    /// A type of another generated crate this one depends on; see
    /// [`Dependency`].
    Extern(ExternTy),
}

/// A type of another generated crate: `<lib>::types::<name>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExternTy {
    /// The crate's library name (`whatsapp_cloud_api`).
    pub lib: String,
    /// The type's name in that crate's `types` (`Message`).
    pub name: String,
}

impl std::fmt::Display for ExternTy {
    /// The path, as Rust writes it (`whatsapp_cloud_api::types::Message`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}::types::{}", self.lib, self.name)
    }
}

impl<R> Ty<R> {
    /// Replaces every named reference.
    pub fn map_named<S>(&self, f: &mut impl FnMut(&R) -> S) -> Ty<S> {
        match self {
            Ty::String => Ty::String,
            Ty::I32 => Ty::I32,
            Ty::I64 => Ty::I64,
            Ty::F64 => Ty::F64,
            Ty::Bool => Ty::Bool,
            Ty::Json => Ty::Json,
            Ty::JsonObject => Ty::JsonObject,
            Ty::Bytes => Ty::Bytes,
            Ty::Array(t) => Ty::Array(Box::new(t.map_named(f))),
            Ty::Item(t) => Ty::Item(Box::new(t.map_named(f))),
            Ty::Map(t) => Ty::Map(Box::new(t.map_named(f))),
            Ty::Named(r) => Ty::Named(f(r)),
            Ty::Extern(t) => Ty::Extern(t.clone()),
        }
    }

    /// The named type this type mentions, if any.
    pub fn named(&self) -> Option<&R> {
        match self {
            Ty::Array(t) | Ty::Item(t) | Ty::Map(t) => t.named(),
            Ty::Named(r) => Some(r),
            _ => None,
        }
    }

    /// True when a value of this type holds the named type directly (not
    /// behind a `Vec` or map), so a cycle through it needs a `Box`.
    pub fn holds_by_value(&self) -> Option<&R> {
        match self {
            Ty::Named(r) => Some(r),
            _ => None,
        }
    }
}

/// A generated type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The Rust name.
    pub name: String,
    /// The name the spec gives (or the derived name of an inline schema).
    pub original: String,
    /// The description, if the spec has one.
    pub doc: Option<String>,
    /// What it is.
    pub kind: TypeKind,
    /// Every place the type was defined, sorted; several when identical
    /// copies were merged.
    pub sources: Vec<Source>,
    /// Which way its values travel: in requests, in responses and webhooks.
    pub flow: Flow,
    /// An operation's error body that no error carrier describes: it gets a
    /// `Display` that writes it as compact JSON, so `Error<Self>` displays.
    pub json_display: bool,
    /// The conversions into this type (`impl From<...>`), decided by
    /// `lower::members`.
    pub from: Vec<FromImpl>,
}

/// A conversion a type gets (see [`TypeDef::from`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromImpl {
    /// `From<&str>` and `From<String>`: an enum's value, a struct's `new`
    /// with its only (string) argument, a choice's first (string) member.
    Str,
    /// `From<&String>` as well (a choice: `to` given as `&String`).
    StrRef,
    /// `From<payload>` for the union variant of this index: no other
    /// variant carries the same Rust type (for a primitive: it is the first
    /// that does).
    Variant(usize),
    /// `From<&str>` for the union variant of this index, a `String`.
    StrVariant(usize),
}

/// Which way the values of a type travel, found by following references
/// from each operation's parameters and body (outbound) and from its
/// responses and the webhook payload (inbound). A type no operation reaches
/// is neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flow {
    /// Reached from a request parameter or body.
    pub outbound: bool,
    /// Reached from a response or the webhook payload.
    pub inbound: bool,
}

impl Flow {
    /// Only ever received: decoding may be lenient (see `lower::flow`).
    pub fn inbound_only(self) -> bool {
        self.inbound && !self.outbound
    }
}

impl TypeKind {
    /// The named types this type refers to, in field or variant order.
    pub fn refs(&self) -> Vec<&String> {
        let mut out = Vec::new();
        match self {
            TypeKind::Struct(s) => {
                out.extend(s.fields.iter().filter_map(|f| f.ty.named()));
                if let Extra::Typed(_, t) = &s.extra {
                    out.extend(t.named());
                }
                out.extend(s.choices.iter().map(|c| &c.ty));
            }
            TypeKind::Choice(c) => out.extend(c.variants.iter().filter_map(|v| v.ty.named())),
            TypeKind::Enum(_) => {}
            TypeKind::Alias(t) => out.extend(t.named()),
            TypeKind::Tagged(t) => out.extend(t.variants.iter().filter_map(|v| v.ty.named())),
            TypeKind::Untagged(u) => out.extend(u.variants.iter().filter_map(|v| v.ty.named())),
            TypeKind::ByStatus(b) => out.extend(
                b.variants
                    .iter()
                    .filter_map(|v| v.ty.as_ref().and_then(Ty::named)),
            ),
        }
        out
    }
}

/// The shape of a generated type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(StructDef),
    /// A string enum that keeps values it does not know.
    Enum(EnumDef),
    /// A named schema that is another type (`pub type A = Vec<B>;`).
    Alias(Ty),
    /// A `oneOf` with a discriminator: an enum whose variant is chosen by the
    /// tag member, with a catch-all for tags it does not know.
    Tagged(TaggedDef),
    /// A `oneOf`/`anyOf` without discriminator: variants tried in order.
    Untagged(UntaggedDef),
    /// Which one of a group of members a struct's `new` sets.
    Choice(ChoiceDef),
    /// The error bodies (or the success bodies) of one operation whose
    /// statuses document different bodies: a variant per status, chosen by
    /// the status.
    ByStatus(ByStatusDef),
}

/// An operation's error bodies, by status.
#[derive(Debug, Clone, PartialEq)]
pub struct ByStatusDef {
    /// The variants, in status order (codes, then ranges, then `default`).
    pub variants: Vec<StatusVariant>,
    /// The success bodies of an operation (else its error bodies).
    pub success: bool,
}

/// One documented error status and its body.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusVariant {
    /// The Rust variant name (`NotFound`, `Status418`, `Server5xx`, `Other`).
    pub rust: String,
    /// The statuses it covers.
    pub status: StatusMatch,
    /// The body type; `None` for a status documented without a JSON body.
    pub ty: Option<Ty>,
    /// The payload needs a `Box` to break a cycle.
    pub boxed: bool,
}

/// A discriminated union.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedDef {
    /// The tag member (`type`).
    pub tag: String,
    /// The variants, in spec order.
    pub variants: Vec<TaggedVariant>,
    /// The variant name for unknown tags (keeps the tag and the raw JSON).
    pub unknown: String,
    /// Fields every variant's struct has alike (same member, Rust name, type
    /// and optionality), in the first variant's order: the union gets an
    /// accessor for each (and, when it is sent, a `with_` setter).
    pub shared: Vec<SharedField>,
    /// Members that name the variant before the tag comes (see
    /// `lower::finish::commits`): (member, tag value), sorted by member.
    pub commits: Vec<(String, String)>,
    /// Several variants have a member of another type (`value`): the fast
    /// decode finds the tag in the object's text before reading it.
    pub scan: bool,
    /// One constructor per variant whose payload is a struct
    /// (`Message::text(to, body)`), named by `lower::members`.
    pub constructors: Vec<Constructor>,
}

/// A constructor of a tagged union: the payload's `new`, wrapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constructor {
    /// The method name.
    pub name: String,
    /// The index of the variant it builds.
    pub variant: usize,
}

/// A field every variant of a tagged union has (see [`TaggedDef::shared`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SharedField {
    /// The JSON member name.
    pub wire: String,
    /// The Rust field name in each variant's struct.
    pub rust: String,
    /// The accessor's name (the field's, unless a union method has it).
    pub accessor: String,
    /// The `with_` setter's name, for a union that is sent.
    pub setter: Option<String>,
    /// The value type (without `Option`).
    pub ty: Ty,
    /// The field is an `Option` in every variant.
    pub optional: bool,
    /// The description, from the first variant.
    pub doc: Option<String>,
}

/// One variant of a discriminated union.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedVariant {
    /// The tag value.
    pub tag_value: String,
    /// The Rust variant name.
    pub rust: String,
    /// The payload type.
    pub ty: Ty,
    /// The payload needs a `Box` to break a cycle.
    pub boxed: bool,
}

/// An untagged union.
#[derive(Debug, Clone, PartialEq)]
pub struct UntaggedDef {
    /// The variants, in the order they are tried.
    pub variants: Vec<UntaggedVariant>,
    /// The variant name for values no variant accepts (keeps the raw JSON).
    pub unknown: String,
}

/// One variant of an untagged union.
#[derive(Debug, Clone, PartialEq)]
pub struct UntaggedVariant {
    /// The Rust variant name.
    pub rust: String,
    /// The payload type.
    pub ty: Ty,
    /// Keys that must be present for this variant to be tried.
    pub required: Vec<String>,
    /// Members that must hold exactly this string for the variant to be tried.
    pub consts: Vec<(String, String)>,
    /// The variant accepts no members beyond its properties.
    pub strict: bool,
    /// The JSON type the variant accepts.
    pub kind: JsonKind,
    /// The payload needs a `Box` to break a cycle.
    pub boxed: bool,
}

/// The JSON type a union variant accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JsonKind {
    /// An object.
    Object,
    /// A string.
    String,
    /// An integer.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array.
    Array,
    /// Anything.
    Any,
}

/// An object type.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// The properties, in spec order.
    pub fields: Vec<Field>,
    /// What happens to members the schema does not list.
    pub extra: Extra,
    /// Groups of optional fields of which exactly one must be set: `new`
    /// takes one argument of the group's [`ChoiceDef`] type for each.
    pub choices: Vec<StructChoice>,
}

/// One argument of a struct's `new`: a required field, or a group of fields
/// of which exactly one is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NewArg<'a> {
    /// A required, non-constant field.
    Field(&'a Field),
    /// A choice of fields.
    Choice(&'a StructChoice),
}

impl NewArg<'_> {
    /// The argument's name.
    pub fn name(&self) -> &str {
        match self {
            NewArg::Field(f) => &f.rust,
            NewArg::Choice(c) => &c.arg,
        }
    }
}

impl StructDef {
    /// The arguments `new` takes, in field order: the required, non-nullable,
    /// non-constant fields, and each choice where its first member's field is.
    pub fn new_args(&self) -> Vec<NewArg<'_>> {
        let mut args = Vec::new();
        for f in &self.fields {
            if let Some(c) = self
                .choices
                .iter()
                .find(|c| c.fields.first() == Some(&f.rust))
            {
                args.push(NewArg::Choice(c));
            } else if !f.optional() && f.constant.is_none() {
                args.push(NewArg::Field(f));
            }
        }
        args
    }
}

/// A group of a struct's fields of which `new` sets exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructChoice {
    /// The choice type (a [`TypeKind::Choice`]).
    pub ty: String,
    /// The argument's name in `new` (the first member's field name).
    pub arg: String,
    /// The Rust field each variant of the choice sets, in variant order.
    pub fields: Vec<String>,
    /// The choice's variant names, in the same order.
    pub variants: Vec<String>,
}

/// Which one of a group of members to send, when an object needs exactly one
/// of them: a constructor argument, never a value on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceDef {
    /// One variant per member, in the spec's order.
    pub variants: Vec<ChoiceVariant>,
}

/// One member of a [`ChoiceDef`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceVariant {
    /// The JSON member it sets.
    pub wire: String,
    /// The Rust variant name.
    pub rust: String,
    /// The member's type.
    pub ty: Ty,
}

/// Where members beyond the listed properties go.
#[derive(Debug, Clone, PartialEq)]
pub enum Extra {
    /// Kept in a `serde_json::Map` field with this Rust name (the default,
    /// `additionalProperties: false` included: the live API sends fields the
    /// spec does not list, and a caller may need to send one).
    Keep(String),
    /// `additionalProperties: <schema>`: a typed map field with this Rust name.
    Typed(String, Ty),
}

/// One struct field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The JSON member name.
    pub wire: String,
    /// The Rust field name.
    pub rust: String,
    /// The value type (without `Option`).
    pub ty: Ty,
    /// Listed in `required`.
    pub required: bool,
    /// The schema allows `null`.
    pub nullable: bool,
    /// The single value of a one-value enum (`const`), filled in by default.
    pub constant: Option<String>,
    /// Needs a `Box` to break a cycle of by-value containment.
    pub boxed: bool,
    /// The description.
    pub doc: Option<String>,
    /// The name of its builder-style setter (`with_context`): set on the
    /// optional fields of a type that is sent (`lower::members`).
    pub setter: Option<String>,
    /// A malformed value decodes as absent or is coerced (`"true"`, `"5"`)
    /// instead of failing the whole value: a string, integer, number or
    /// boolean field of a type that is only received (`lower::members`).
    pub lenient: bool,
}

impl Field {
    /// True when the field is both optional and nullable: `Option<Option<T>>`,
    /// so an absent member (`None`) and an explicit `null` (`Some(None)`)
    /// stay distinct in both directions.
    pub fn double_option(&self) -> bool {
        !self.required && self.nullable && self.constant.is_none()
    }

    /// True when the Rust field is an `Option`.
    pub fn optional(&self) -> bool {
        if self.constant.is_some() {
            !self.required
        } else {
            !self.required || self.nullable
        }
    }
}

/// A string enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDef {
    /// Known values, in spec order.
    pub variants: Vec<Variant>,
    /// The variant name that holds unknown values.
    pub unknown: String,
}

/// One known enum value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The value as the spec spells it.
    pub wire: String,
    /// The Rust variant name.
    pub rust: String,
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HttpMethod {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl HttpMethod {
    /// The method as HTTP spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }

    /// Sending the request twice has the effect of sending it once (RFC 9110
    /// idempotent methods), so a failed attempt may be repeated.
    pub fn is_idempotent(self) -> bool {
        matches!(
            self,
            HttpMethod::Get
                | HttpMethod::Head
                | HttpMethod::Options
                | HttpMethod::Trace
                | HttpMethod::Put
                | HttpMethod::Delete
        )
    }
}

/// The names every request builder uses for its own fields and methods. A
/// parameter (or flattened body field) that would take one is renamed by
/// lowering (a number appended), so a builder never defines a name twice.
pub const BUILDER_NAMES: &[&str] = &[
    "attempt_timeout",
    "body",
    "client",
    "into_future",
    "into_stream",
    "max_body_size",
    "new",
    "options",
    "parts",
    "request",
    "retry",
    "send",
    "send_streaming",
    "send_with_meta",
    "timeout",
];

/// The methods every client defines besides its operations (and besides
/// the getters of client parameters, named after them): an operation that
/// would take one is renamed by lowering.
pub const CLIENT_NAMES: &[&str] = &[
    "base_url",
    "builder",
    "core",
    "new",
    "retry_policy",
    "set_api_key",
    "set_credentials",
    "set_token",
];

/// The methods every tagged union defines besides its constructors,
/// accessors and setters.
pub const TAGGED_NAMES: &[&str] = &["tag"];

/// One operation: one client method.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The spec's operationId.
    pub operation_id: String,
    /// The client method name (snake_case).
    pub method: String,
    /// The request builder type name (UpperCamelCase).
    pub builder: String,
    /// The HTTP method.
    pub http_method: HttpMethod,
    /// The path template as the spec writes it.
    pub path: String,
    /// The path template, split.
    pub path_parts: Vec<PathPart>,
    /// Parameters in call order: path parameters in template order, then the
    /// remaining required parameters, then optional ones, each group in spec
    /// order.
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<Body>,
    /// The success response.
    pub success: Success,
    /// Documented error responses.
    pub errors: Vec<ErrorResponse>,
    /// The type error bodies decode into.
    pub error_ty: Ty,
    /// The summary line.
    pub summary: Option<String>,
    /// The description.
    pub doc: Option<String>,
    /// Deprecated in the spec.
    pub deprecated: bool,
    /// The fragment the operation comes from.
    pub source: String,
    /// The examples the spec documents for it (used to emit its mock tests).
    pub examples: Examples,
    /// For a method made from one member of the operation's request body
    /// `oneOf` (`[[target.body_variants]]`): that member's schema name.
    pub body_variant: Option<String>,
    /// For a list operation: how its pages link (see [`Pagination`]).
    pub pagination: Option<Pagination>,
    /// For a list operation of another shape: a cursor the page returns
    /// and a query parameter takes (see [`CursorPagination`]).
    pub cursor_pagination: Option<CursorPagination>,
    /// An answer with a 4xx status is never retried, not even 429
    /// (`final_client_errors` in the configuration).
    pub final_client_errors: bool,
    /// The document says the operation needs no credentials
    /// (`security: []`): the client sends none with it.
    pub anonymous: bool,
}

/// A list operation, recognised by its shape (`lower::finish`): the success
/// body is a struct with `data: [items]` and `paging.cursors.after` (a
/// string), and the operation takes an optional string query parameter
/// `after`. Each step names the Rust field and whether it is an `Option`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    /// The item type of `data`.
    pub item: Ty,
    /// `data`, the page's items.
    pub data: Member,
    /// `paging`.
    pub paging: Member,
    /// `paging.cursors`.
    pub cursors: Member,
    /// `paging.cursors.after`, the next request's `after`.
    pub after: Member,
    /// `paging.next`, when the schema has it: its absence marks the last page.
    pub next: Option<Member>,
    /// The builder's setter of the `after` query parameter.
    pub after_setter: String,
}

/// A list operation of a common shape besides Graph's (`lower::finish`):
/// the page holds the items in one array member, and a string member (at
/// the top or one object down) that the operation's optional string query
/// parameter of the matching name takes (`iterator` / `iterator`,
/// `next_cursor` / `cursor`, `next_marker` / `marker`, `next_page_token` /
/// `page_token`, `after` / `after`); a boolean `has_more` (or `hasMore`,
/// `has_next`) or `done` beside it, when there is one, says whether another
/// page follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorPagination {
    /// The item type.
    pub item: Ty,
    /// The member holding the items.
    pub items: Member,
    /// The path to the next page's cursor.
    pub cursor: Vec<Member>,
    /// The path to the boolean that says whether more pages follow, and
    /// whether it says so when true (`has_more`) or when false (`done`).
    pub more: Option<(Vec<Member>, bool)>,
    /// The builder's setter of the cursor parameter.
    pub setter: String,
    /// The parameter's and the cursor's wire names, for the documentation.
    pub wire: (String, String),
}

/// One field on the way to a value: its Rust name, and whether it is an
/// `Option`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The field's Rust name.
    pub rust: String,
    /// An `Option` field.
    pub optional: bool,
}

/// The documented examples of one operation, as the spec gives them.
/// Examples given by `$ref` are not followed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Examples {
    /// Parameter examples by wire name (the parameter's own `example`, its
    /// first `examples` entry, or its schema's `example`).
    pub params: BTreeMap<String, serde_json::Value>,
    /// Request body examples in spec order, by name (`example` for the single
    /// `example` member).
    pub bodies: Vec<(String, serde_json::Value)>,
    /// Success response examples in spec order: status, name, value.
    pub success: Vec<(u16, String, serde_json::Value)>,
    /// Error response examples in spec order: status, name, value.
    pub errors: Vec<(u16, String, serde_json::Value)>,
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// Literal text.
    Literal(String),
    /// A call parameter (index into [`Operation::params`]).
    Param(usize),
    /// A client configuration value (index into [`TargetInfo::client_params`]).
    Client(usize),
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In the `Cookie` header.
    Cookie,
}

/// A call parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The name on the wire.
    pub wire: String,
    /// The Rust argument or setter name.
    pub rust: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Required parameters are method arguments; optional ones are setters.
    pub required: bool,
    /// The value type.
    pub ty: Ty,
    /// For arrays in the query: one `name=value` pair per item (true) or one
    /// comma-separated value (false).
    pub explode: bool,
    /// The value is a whole URL the request is sent to (see
    /// `url_params` in the configuration).
    pub whole_url: bool,
    /// For an object in the query, or a value described by JSON `content`:
    /// how it is written.
    pub object: Option<ObjectStyle>,
    /// The description.
    pub doc: Option<String>,
}

/// How an object query parameter is written (`style` and `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectStyle {
    /// `style: deepObject`: `name[key]=value`.
    DeepObject,
    /// `style: form` with `explode` (the default): `key=value`.
    FormExploded,
    /// `style: form` without `explode`: `name=key,value,...`.
    Form,
    /// Described by `content` in JSON: the value as JSON text under the
    /// parameter's name (in the query, a header or a cookie).
    Json,
}

/// How a request body is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyMedia {
    /// `application/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// Any other media type (`application/octet-stream`,
    /// `application/x-ndjson`, `text/plain`, ...): bytes the caller gives,
    /// sent as they are.
    Raw,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// How the body is encoded.
    pub media: BodyMedia,
    /// The media type sent (the one the document names).
    pub media_type: String,
    /// Whether the body must be given (required bodies are method arguments).
    pub required: bool,
    /// The body's value type.
    pub ty: Ty,
    /// For a form body whose schema is a titled primitive: the single form
    /// field the value is sent as (the schema's `title`).
    pub form_field: Option<String>,
    /// The Rust argument name.
    pub rust: String,
    /// Other media types the spec allows and the client does not use.
    pub alternatives: Vec<String>,
    /// The description.
    pub doc: Option<String>,
    /// When the body struct's fields are the builder's own arguments and
    /// setters (a body variant method): one entry per non-constant field.
    pub flat: Option<Vec<FlatField>>,
    /// For a form or multipart body that is a struct: how each field is
    /// sent (`lower::finish`). `None` for JSON bodies, titled primitives and
    /// other types (which go through the runtime's generic encoders).
    pub form: Option<FormBody>,
}

/// A struct sent as a form, field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormBody {
    /// The fields, in declaration order.
    pub fields: Vec<FormField>,
    /// The Rust name of the map of members the schema does not list, sent
    /// too (as JSON text unless strings).
    pub extra: String,
}

/// One field of a [`FormBody`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// The Rust field name.
    pub rust: String,
    /// The form field name.
    pub wire: String,
    /// An `Option` field: left out when `None`.
    pub optional: bool,
    /// An `Option<Option<_>>` field (optional and nullable): left out when
    /// absent or `null`.
    pub double_option: bool,
    /// How the value is sent.
    pub value: FormValue,
}

/// How a form field's value is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormValue {
    /// A string, as it is.
    Text,
    /// Any other value, as JSON text (how the Graph API reads form fields).
    Json,
    /// A binary field of a multipart body: a file part with its file name
    /// and media type.
    File,
}

/// A field of a flattened body (see [`Body::flat`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatField {
    /// The struct field's Rust name.
    pub field: String,
    /// The builder's argument or setter name.
    pub name: String,
    /// Required: an argument of the client method (in field order, as the
    /// struct's `new` takes them); otherwise a setter.
    pub argument: bool,
    /// The field has one possible value (a struct of constants, or a
    /// one-value enum): its setter takes no argument.
    pub unit: bool,
}

/// What a success response holds.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseContent {
    /// Nothing (or nothing documented).
    Empty,
    /// A JSON value of this type.
    Json(Ty),
    /// Text.
    Text,
    /// Raw bytes.
    Bytes,
}

/// The success response.
#[derive(Debug, Clone, PartialEq)]
pub struct Success {
    /// The documented 2xx status codes.
    pub statuses: Vec<u16>,
    /// Its content.
    pub content: ResponseContent,
    /// The content is an enum of the bodies of success statuses that
    /// document different ones ([`ByStatusDef`]), decoded by status.
    pub by_status: bool,
    /// When a success response offers `text/event-stream`: the type each
    /// event's `data` decodes into (the builder's `send_events`).
    pub events: Option<Ty>,
}

/// Which statuses a documented error response covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    /// One status.
    Code(u16),
    /// `4XX`: the hundreds digit.
    Range(u16),
    /// `default`: any status not otherwise documented.
    Default,
}

/// A documented error response.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorResponse {
    /// The statuses it covers.
    pub status: StatusMatch,
    /// Its JSON body type, if documented.
    pub ty: Option<Ty>,
}
