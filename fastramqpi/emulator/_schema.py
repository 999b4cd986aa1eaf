# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The executable GraphQL schema: our SDL with its resolvers, roles and scalars bound."""

from importlib import resources

from graphql import GraphQLObjectType
from graphql import GraphQLSchema
from graphql import build_schema

from ._permissions import ROLE_OF_FIELD
from ._permissions import requiring
from ._resolvers import RESOLVERS
from ._scalars import bind_scalars

SDL = resources.files(__package__).joinpath("schema.graphql").read_text()


def build_executable_schema() -> GraphQLSchema:
    schema = build_schema(SDL)
    for type_name, fields in RESOLVERS.items():
        object_type = schema.type_map[type_name]
        assert isinstance(object_type, GraphQLObjectType)
        for field_name, resolve in fields.items():
            role = ROLE_OF_FIELD.get(field_name)
            object_type.fields[field_name].resolve = (
                resolve if role is None else requiring(role, resolve)
            )
    bind_scalars(schema)
    return schema
