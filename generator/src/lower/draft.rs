//! The draft model: types and operations as lowering builds them, before
//! types are merged across fragments and named (see [`super::merge`]).
//! References between them are [`TypeId`]s, indices into
//! [`super::Lowerer::types`].

use crate::ir::{
    BodyMedia, Examples, HttpMethod, JsonKind, ParamLocation, PathPart, StatusMatch, Ty,
};

/// A draft type: its index in [`super::Lowerer::types`]. A type of its own,
/// so that it cannot be mistaken for the merge's class ids or a fragment's
/// index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TypeId(usize);

impl TypeId {
    /// The id of the draft type at `index`.
    pub fn new(index: usize) -> Self {
        Self(index)
    }

    /// Its index in the draft types, for tables indexed alike.
    pub fn index(self) -> usize {
        self.0
    }
}

impl std::ops::Index<TypeId> for Vec<DraftType> {
    type Output = DraftType;

    fn index(&self, id: TypeId) -> &DraftType {
        &self[id.0]
    }
}

impl std::ops::IndexMut<TypeId> for Vec<DraftType> {
    fn index_mut(&mut self, id: TypeId) -> &mut DraftType {
        &mut self[id.0]
    }
}

/// A type before merging and naming.
#[derive(Debug, Clone)]
pub(crate) struct DraftType {
    /// The spec's name (named schemas) or the derived base name (inline).
    pub original: String,
    /// The Rust name this type would get if nothing clashed.
    pub base: String,
    /// For inline types: the enclosing type and the suffix added to its name.
    pub parent: Option<(TypeId, String)>,
    /// The fragment it comes from.
    pub fragment: usize,
    /// Its JSON pointer.
    pub pointer: String,
    /// Its description.
    pub doc: Option<String>,
    /// Its shape.
    pub kind: DKind,
}

/// The shape of a draft type; references are ids.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DKind {
    Pending,
    Struct {
        fields: Vec<DField>,
        extra: DExtra,
        /// Groups of members of which exactly one must be sent (see
        /// [`DKind::Choice`]), by the id of each group's choice type.
        choices: Vec<TypeId>,
    },
    Enum {
        values: Vec<String>,
    },
    Alias(Ty<TypeId>),
    /// `oneOf` + discriminator: (tag value, payload) per variant.
    Tagged {
        tag: String,
        variants: Vec<(String, Ty<TypeId>)>,
    },
    /// `oneOf`/`anyOf` without discriminator, in trial order.
    Untagged {
        variants: Vec<DVariant>,
    },
    /// Which one of a group of an object's members is sent, when the object
    /// requires exactly one of them (`anyOf: [{required: [to]}, {required:
    /// [recipient]}]`): (member, type) per member, in branch order. A
    /// constructor argument, never a value on the wire.
    Choice {
        members: Vec<(String, Ty<TypeId>)>,
    },
    /// An operation's error (or success) bodies by status, when they differ.
    ByStatus {
        variants: Vec<(crate::ir::StatusMatch, Option<Ty<TypeId>>)>,
        success: bool,
    },
}

/// One member of a draft struct.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DField {
    pub wire: String,
    pub ty: Ty<TypeId>,
    pub required: bool,
    pub nullable: bool,
    pub doc: Option<String>,
}

/// One variant of an untagged union.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DVariant {
    pub name: String,
    pub consts: Vec<(String, String)>,
    pub ty: Ty<TypeId>,
    pub required: Vec<String>,
    pub strict: bool,
    pub kind: JsonKind,
}

/// What a draft struct does with members it does not declare.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DExtra {
    Keep,
    Typed(Ty<TypeId>),
}

/// An operation before merging: one client method, with types as draft ids.
#[derive(Debug, Clone)]
pub(crate) struct DraftOperation {
    pub fragment: usize,
    pub pointer: String,
    pub operation_id: String,
    pub method: String,
    pub http_method: HttpMethod,
    pub path: String,
    pub path_parts: Vec<PathPart>,
    pub params: Vec<DraftParam>,
    pub body: Option<DraftBody>,
    pub success_statuses: Vec<u16>,
    pub success: DraftContent,
    pub errors: Vec<(StatusMatch, Option<Ty<TypeId>>)>,
    /// The enum of error bodies by status, when they differ.
    pub error_by_status: Option<TypeId>,
    /// `success` is an enum of success bodies by status.
    pub success_by_status: bool,
    /// The type of each event's `data`, when a success response offers
    /// `text/event-stream`.
    pub events: Option<Ty<TypeId>>,
    pub summary: Option<String>,
    pub doc: Option<String>,
    pub deprecated: bool,
    /// `security: []`: no credentials are sent.
    pub anonymous: bool,
    pub examples: Examples,
    /// For a method made from one member of the body's `oneOf`: its schema name.
    pub body_variant: Option<String>,
}

/// A parameter of a draft operation, in call order.
#[derive(Debug, Clone)]
pub(crate) struct DraftParam {
    pub wire: String,
    pub rust: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: Ty<TypeId>,
    pub explode: bool,
    pub whole_url: bool,
    pub object: Option<crate::ir::ObjectStyle>,
    pub doc: Option<String>,
}

/// A request the API sends: a top-level webhook or an operation's callback.
#[derive(Debug, Clone)]
pub(crate) struct DraftInbound {
    /// The webhook's name, or `operationId callback`.
    pub name: String,
    /// The parse function's name (`parse_order_created`).
    pub function: String,
    /// The payload's type.
    pub ty: Ty<TypeId>,
    pub doc: Option<String>,
    pub callback: bool,
    pub fragment: usize,
}

/// The request body of a draft operation, with the media type it is sent as.
#[derive(Debug, Clone)]
pub(crate) struct DraftBody {
    pub media: BodyMedia,
    pub media_type: String,
    pub required: bool,
    pub ty: Ty<TypeId>,
    pub form_field: Option<String>,
    pub rust: String,
    pub alternatives: Vec<String>,
    pub doc: Option<String>,
    /// The body struct's fields are the builder's arguments and setters.
    pub flatten: bool,
}

/// What a response carries.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DraftContent {
    Empty,
    Json(Ty<TypeId>),
    Text,
    Bytes,
}
