namespace RAE.Grid.Models.Checkpoints.Pickle;

/// <summary>
/// Every opcode of the pickle protocols 0-5, by its CPython <c>pickletools</c> name. The enum exists so an error
/// can name an opcode the reader does not implement (e.g. "INST") rather than just its byte.
/// </summary>
public enum PickleOpcode : byte
{
    /// <summary>Push an integer or bool.</summary>
    INT = 0x49,
    /// <summary>Push a four-byte signed integer.</summary>
    BININT = 0x4A,
    /// <summary>Push a one-byte unsigned integer.</summary>
    BININT1 = 0x4B,
    /// <summary>Push a two-byte unsigned integer.</summary>
    BININT2 = 0x4D,
    /// <summary>Push a long integer.</summary>
    LONG = 0x4C,
    /// <summary>Long integer using one-byte length.</summary>
    LONG1 = 0x8A,
    /// <summary>Long integer using four-byte length.</summary>
    LONG4 = 0x8B,
    /// <summary>Push a Python string object.</summary>
    STRING = 0x53,
    /// <summary>Push a Python string object.</summary>
    BINSTRING = 0x54,
    /// <summary>Push a Python string object.</summary>
    SHORT_BINSTRING = 0x55,
    /// <summary>Push a Python bytes object.</summary>
    BINBYTES = 0x42,
    /// <summary>Push a Python bytes object.</summary>
    SHORT_BINBYTES = 0x43,
    /// <summary>Push a Python bytes object.</summary>
    BINBYTES8 = 0x8E,
    /// <summary>Push a Python bytearray object.</summary>
    BYTEARRAY8 = 0x96,
    /// <summary>Push an out-of-band buffer object.</summary>
    NEXT_BUFFER = 0x97,
    /// <summary>Make an out-of-band buffer object read-only.</summary>
    READONLY_BUFFER = 0x98,
    /// <summary>Push None on the stack.</summary>
    NONE = 0x4E,
    /// <summary>Push True onto the stack.</summary>
    NEWTRUE = 0x88,
    /// <summary>Push False onto the stack.</summary>
    NEWFALSE = 0x89,
    /// <summary>Push a Python Unicode string object.</summary>
    UNICODE = 0x56,
    /// <summary>Push a Python Unicode string object.</summary>
    SHORT_BINUNICODE = 0x8C,
    /// <summary>Push a Python Unicode string object.</summary>
    BINUNICODE = 0x58,
    /// <summary>Push a Python Unicode string object.</summary>
    BINUNICODE8 = 0x8D,
    /// <summary>Newline-terminated decimal float literal.</summary>
    FLOAT = 0x46,
    /// <summary>Float stored in binary form, with 8 bytes of data.</summary>
    BINFLOAT = 0x47,
    /// <summary>Push an empty list.</summary>
    EMPTY_LIST = 0x5D,
    /// <summary>Append an object to a list.</summary>
    APPEND = 0x61,
    /// <summary>Extend a list by a slice of stack objects.</summary>
    APPENDS = 0x65,
    /// <summary>Build a list out of the topmost stack slice, after markobject.</summary>
    LIST = 0x6C,
    /// <summary>Push an empty tuple.</summary>
    EMPTY_TUPLE = 0x29,
    /// <summary>Build a tuple out of the topmost stack slice, after markobject.</summary>
    TUPLE = 0x74,
    /// <summary>Build a one-tuple out of the topmost item on the stack.</summary>
    TUPLE1 = 0x85,
    /// <summary>Build a two-tuple out of the top two items on the stack.</summary>
    TUPLE2 = 0x86,
    /// <summary>Build a three-tuple out of the top three items on the stack.</summary>
    TUPLE3 = 0x87,
    /// <summary>Push an empty dict.</summary>
    EMPTY_DICT = 0x7D,
    /// <summary>Build a dict out of the topmost stack slice, after markobject.</summary>
    DICT = 0x64,
    /// <summary>Add a key+value pair to an existing dict.</summary>
    SETITEM = 0x73,
    /// <summary>Add an arbitrary number of key+value pairs to an existing dict.</summary>
    SETITEMS = 0x75,
    /// <summary>Push an empty set.</summary>
    EMPTY_SET = 0x8F,
    /// <summary>Add an arbitrary number of items to an existing set.</summary>
    ADDITEMS = 0x90,
    /// <summary>Build a frozenset out of the topmost slice, after markobject.</summary>
    FROZENSET = 0x91,
    /// <summary>Discard the top stack item, shrinking the stack by one item.</summary>
    POP = 0x30,
    /// <summary>Push the top stack item onto the stack again, duplicating it.</summary>
    DUP = 0x32,
    /// <summary>Push markobject onto the stack.</summary>
    MARK = 0x28,
    /// <summary>Pop all the stack objects at and above the topmost markobject.</summary>
    POP_MARK = 0x31,
    /// <summary>Read an object from the memo and push it on the stack.</summary>
    GET = 0x67,
    /// <summary>Read an object from the memo and push it on the stack.</summary>
    BINGET = 0x68,
    /// <summary>Read an object from the memo and push it on the stack.</summary>
    LONG_BINGET = 0x6A,
    /// <summary>Store the stack top into the memo.  The stack is not popped.</summary>
    PUT = 0x70,
    /// <summary>Store the stack top into the memo.  The stack is not popped.</summary>
    BINPUT = 0x71,
    /// <summary>Store the stack top into the memo.  The stack is not popped.</summary>
    LONG_BINPUT = 0x72,
    /// <summary>Store the stack top into the memo.  The stack is not popped.</summary>
    MEMOIZE = 0x94,
    /// <summary>Extension code.</summary>
    EXT1 = 0x82,
    /// <summary>Extension code.</summary>
    EXT2 = 0x83,
    /// <summary>Extension code.</summary>
    EXT4 = 0x84,
    /// <summary>Push a global object (module.attr) on the stack.</summary>
    GLOBAL = 0x63,
    /// <summary>Push a global object (module.attr) on the stack.</summary>
    STACK_GLOBAL = 0x93,
    /// <summary>Push an object built from a callable and an argument tuple.</summary>
    REDUCE = 0x52,
    /// <summary>Finish building an object, via __setstate__ or dict update.</summary>
    BUILD = 0x62,
    /// <summary>Build a class instance.</summary>
    INST = 0x69,
    /// <summary>Build a class instance.</summary>
    OBJ = 0x6F,
    /// <summary>Build an object instance.</summary>
    NEWOBJ = 0x81,
    /// <summary>Build an object instance.</summary>
    NEWOBJ_EX = 0x92,
    /// <summary>Protocol version indicator.</summary>
    PROTO = 0x80,
    /// <summary>Stop the unpickling machine.</summary>
    STOP = 0x2E,
    /// <summary>Indicate the beginning of a new frame.</summary>
    FRAME = 0x95,
    /// <summary>Push an object identified by a persistent ID.</summary>
    PERSID = 0x50,
    /// <summary>Push an object identified by a persistent ID.</summary>
    BINPERSID = 0x51,
}
