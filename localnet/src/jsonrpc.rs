//! JSON-RPC 2.0 plumbing shared by the HTTP and websocket servers: errors with the codes and
//! messages Solana clients expect, positional parameter parsing, and request framing.

use {
    serde::de::DeserializeOwned,
    serde_json::{json, Value},
    solana_pubkey::Pubkey,
    solana_signature::Signature,
    std::str::FromStr,
};

/// Codes used by the Solana RPC (agave `rpc_custom_error` and jsonrpc-core).
pub mod code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
    pub const SEND_TRANSACTION_PREFLIGHT_FAILURE: i64 = -32002;
    pub const TRANSACTION_SIGNATURE_VERIFICATION_FAILURE: i64 = -32003;
    pub const UNSUPPORTED_TRANSACTION_VERSION: i64 = -32015;
    pub const MIN_CONTEXT_SLOT_NOT_REACHED: i64 = -32016;
}

#[derive(Debug, Clone)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    pub fn parse_error() -> Self {
        Self::new(code::PARSE_ERROR, "Parse error")
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_REQUEST, message)
    }

    pub fn method_not_found() -> Self {
        Self::new(code::METHOD_NOT_FOUND, "Method not found")
    }

    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_PARAMS, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(code::INTERNAL_ERROR, message)
    }

    pub fn to_json(&self) -> Value {
        match &self.data {
            Some(data) => json!({ "code": self.code, "message": self.message, "data": data }),
            None => json!({ "code": self.code, "message": self.message }),
        }
    }
}

pub type RpcResult = Result<Value, RpcError>;

/// A request's positional parameters.
pub struct Params(Vec<Value>);

impl Params {
    pub fn from_request(params: Option<Value>) -> Result<Self, RpcError> {
        match params {
            None | Some(Value::Null) => Ok(Params(Vec::new())),
            Some(Value::Array(values)) => Ok(Params(values)),
            Some(_) => Err(RpcError::invalid_params(
                "Invalid params: expected an array of parameters",
            )),
        }
    }

    pub fn required<T: DeserializeOwned>(&self, index: usize, what: &str) -> Result<T, RpcError> {
        self.optional(index, what)?.ok_or_else(|| {
            RpcError::invalid_params(format!(
                "Invalid params: missing {what} (parameter {index})"
            ))
        })
    }

    /// An absent or `null` parameter is `None`.
    pub fn optional<T: DeserializeOwned>(
        &self,
        index: usize,
        what: &str,
    ) -> Result<Option<T>, RpcError> {
        match self.0.get(index) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => T::deserialize(value).map(Some).map_err(|error| {
                RpcError::invalid_params(format!("Invalid params: {what}: {error}"))
            }),
        }
    }

    pub fn pubkey(&self, index: usize, what: &str) -> Result<Pubkey, RpcError> {
        parse_pubkey(&self.required::<String>(index, what)?)
    }
}

pub fn parse_pubkey(text: &str) -> Result<Pubkey, RpcError> {
    Pubkey::from_str(text)
        .map_err(|error| RpcError::invalid_params(format!("Invalid param: {error:?}")))
}

pub fn parse_signature(text: &str) -> Result<Signature, RpcError> {
    Signature::from_str(text)
        .map_err(|error| RpcError::invalid_params(format!("Invalid param: {error:?}")))
}

/// A parsed request object; `id` is `None` for notifications (which get no response).
pub struct Request {
    pub id: Option<Value>,
    pub method: String,
    pub params: Option<Value>,
}

impl Request {
    pub fn parse(value: Value) -> Result<Request, (Value, RpcError)> {
        let Value::Object(mut object) = value else {
            return Err((Value::Null, RpcError::invalid_request("Invalid request")));
        };
        let id = object.remove("id");
        let error_id = id.clone().unwrap_or(Value::Null);
        if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return Err((error_id, RpcError::invalid_request("Invalid request")));
        }
        let Some(Value::String(method)) = object.remove("method") else {
            return Err((error_id, RpcError::invalid_request("Invalid request")));
        };
        Ok(Request {
            id,
            method,
            params: object.remove("params"),
        })
    }
}

pub fn response(id: Value, result: RpcResult) -> Value {
    match result {
        Ok(result) => json!({ "jsonrpc": "2.0", "result": result, "id": id }),
        Err(error) => json!({ "jsonrpc": "2.0", "error": error.to_json(), "id": id }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_must_be_jsonrpc_2_objects_with_a_method() {
        assert!(Request::parse(json!({"jsonrpc":"2.0","id":1,"method":"getSlot"})).is_ok());
        let (id, error) = Request::parse(json!({"jsonrpc":"1.0","id":7,"method":"getSlot"}))
            .err()
            .expect("wrong version");
        assert_eq!((id, error.code), (json!(7), code::INVALID_REQUEST));
        assert!(Request::parse(json!([1, 2])).is_err());
        assert!(Request::parse(json!({"jsonrpc":"2.0","id":1})).is_err());
    }

    #[test]
    fn params_are_positional_with_named_errors() {
        let params = Params::from_request(Some(json!(["abc", null, 5]))).expect("array");
        assert_eq!(
            params.required::<String>(0, "pubkey").expect("present"),
            "abc"
        );
        assert_eq!(params.optional::<u64>(1, "config").expect("null"), None);
        let error = params
            .required::<String>(2, "signature")
            .expect_err("wrong type");
        assert_eq!(error.code, code::INVALID_PARAMS);
        assert!(error.message.contains("signature"), "{}", error.message);
        assert!(params.required::<u64>(9, "slot").is_err());
        assert!(Params::from_request(Some(json!({"a": 1}))).is_err());
        assert_eq!(
            params.pubkey(0, "pubkey").expect_err("not base58").code,
            code::INVALID_PARAMS
        );
    }
}
