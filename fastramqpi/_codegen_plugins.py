# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""ariadne-codegen plugins, named in ``[tool.ariadne-codegen]`` as ``fastramqpi.ariadne.*``.

A module of their own because they import the code generator, which is a build-time tool:
``fastramqpi.ariadne`` hands them out lazily so generated clients never import it.
"""

import ast

from ariadne_codegen.plugins.base import Plugin
from graphql import GraphQLInputField
from graphql import GraphQLInputObjectType
from graphql import GraphQLNonNull
from graphql import Undefined

__all__ = ["ForbidExtraBaseModelPlugin", "UnsetInputTypesPlugin"]

_INPUT_BASE = "_UnsetAwareInput"

_INPUT_BASE_SOURCE = f'''
from typing import Union

from pydantic import model_validator

from .base_model import UNSET, UnsetType


class {_INPUT_BASE}(BaseModel):
    """An input whose fields set to UNSET are left out of the request, as if never given."""

    @model_validator(mode="after")
    def _forget_unset_fields(self) -> "{_INPUT_BASE}":
        self.model_fields_set.difference_update(
            [name for name, value in self if value is UNSET]
        )
        return self
'''


def _is_optional(field: GraphQLInputField) -> bool:
    return (
        not isinstance(field.type, GraphQLNonNull)
        or field.default_value is not Undefined
    )


class UnsetInputTypesPlugin(Plugin):
    """Optional input fields accept ``UNSET`` and default to it.

    ariadne-codegen 0.19 already leaves optional fields out of the request when they are not
    given, but rejects an explicit ``UNSET`` with a ValidationError, which breaks integrations
    written against older clients (``SomeInput(name=x, parent=UNSET)``). With this plugin an
    explicit ``UNSET`` means "not given": it is accepted and left out of the request, while
    ``None`` is still sent as ``null``.
    """

    def generate_input_field(
        self,
        field_implementation: ast.AnnAssign,
        input_field: GraphQLInputField,
        field_name: str,
    ) -> ast.AnnAssign:
        if not _is_optional(input_field):
            return field_implementation
        field_implementation.annotation = ast.Subscript(
            value=ast.Name(id="Union", ctx=ast.Load()),
            slice=ast.Tuple(
                elts=[
                    field_implementation.annotation,
                    ast.Name(id="UnsetType", ctx=ast.Load()),
                ],
                ctx=ast.Load(),
            ),
            ctx=ast.Load(),
        )
        unset = ast.Name(id="UNSET", ctx=ast.Load())
        value = field_implementation.value
        if isinstance(value, ast.Call):  # Field(alias=..., default=...)
            value.keywords = [
                k for k in value.keywords if k.arg not in ("default", "default_factory")
            ]
            value.keywords.append(ast.keyword(arg="default", value=unset))
        else:
            field_implementation.value = unset
        return field_implementation

    def generate_input_class(
        self, class_def: ast.ClassDef, input_type: GraphQLInputObjectType
    ) -> ast.ClassDef:
        class_def.bases = [
            ast.Name(id=_INPUT_BASE, ctx=ast.Load())
            if isinstance(base, ast.Name) and base.id == "BaseModel"
            else base
            for base in class_def.bases
        ]
        return class_def

    def generate_inputs_module(self, module: ast.Module) -> ast.Module:
        imports = [n for n in module.body if isinstance(n, ast.Import | ast.ImportFrom)]
        rest = [
            n for n in module.body if not isinstance(n, ast.Import | ast.ImportFrom)
        ]
        module.body = [*imports, *ast.parse(_INPUT_BASE_SOURCE).body, *rest]
        return module


class ForbidExtraBaseModelPlugin(Plugin):
    """Generated models reject fields they do not declare.

    A typo in a field name then raises at once instead of being silently dropped. Setting
    ``ignore_extra_fields = false`` in ``[tool.ariadne-codegen]`` does the same on
    ariadne-codegen 0.19; this plugin keeps older configurations working.
    """

    def copy_code(self, copied_code: str) -> str:
        return _forbid_extra(copied_code)


def _forbid_extra(code: str) -> str:
    """Add ``extra="forbid"`` to the generated ``BaseModel``'s ``ConfigDict``, if there is one.

    The edit is made in the text, so the file keeps its comments and layout.
    """
    config = _base_model_config(ast.parse(code))
    if config is None or any(k.arg == "extra" for k in config.keywords):
        return code
    lines = code.splitlines(keepends=True)
    if config.keywords and config.keywords[0].lineno > config.lineno:
        first = config.keywords[0]
        line, column = first.lineno - 1, first.col_offset
        insertion = 'extra="forbid",\n' + " " * column
    else:  # ConfigDict() or ConfigDict(a=b) on one line
        end_line, end_column = config.func.end_lineno, config.func.end_col_offset
        assert end_line is not None
        assert end_column is not None
        line, column = end_line - 1, end_column + 1
        insertion = 'extra="forbid", ' if config.keywords else 'extra="forbid"'
    lines[line] = lines[line][:column] + insertion + lines[line][column:]
    return "".join(lines)


def _base_model_config(module: ast.Module) -> ast.Call | None:
    for node in module.body:
        if isinstance(node, ast.ClassDef) and node.name == "BaseModel":
            for statement in node.body:
                if (
                    isinstance(statement, ast.Assign)
                    and any(
                        isinstance(t, ast.Name) and t.id == "model_config"
                        for t in statement.targets
                    )
                    and isinstance(statement.value, ast.Call)
                ):
                    return statement.value
    return None
