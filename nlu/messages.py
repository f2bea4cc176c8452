"""The words of content problems, in French (the default) and English.

A :class:`~nlu.errors.Problem` carries a stable ``code`` and its parameters; the text an author
reads is rendered here, in the language asked for. Content authors are French and not programmers:
French messages say what to do in plain words. English keeps the messages the project had before.

A parameter named ``<name>_code`` holds another code: it is rendered first (with the same
parameters) and given to the template as ``{<name>}``. A ``where`` parameter (a path of keys
such as ``intents.0.responses``) is put before the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "fr"

ParamValue = str | int | float

FRENCH: dict[str, str] = {
    # reading files
    "not-utf8": "le fichier n'est pas du texte UTF-8 ({reason}) : enregistrez-le en UTF-8",
    "too-deep": (
        "trop de niveaux de [ ] ou {{ }} imbriqués (plus de {limit}) : un fichier du bot n'en demande que quelques-uns"
    ),
    "invalid-json": "JSON invalide : {reason}{hint}\n{excerpt}",
    "invalid-toml": "TOML invalide : {error}",
    "invalid-yaml": "YAML invalide : {error}",
    "yaml-duplicate-key": "YAML invalide : la clé « {key} » apparaît deux fois ici",
    "text-file-role": ("un fichier texte doit être une intention (intent_<nom>.txt) ou une entité (entity_<nom>.txt)"),
    "intent-without-example": "l'intention « {intent} » n'a aucun exemple",
    "entity-without-value": "l'entité « {entity} » n'a aucune valeur",
    "option-strictness": "%strictness attend un nombre entre 0 (exclu) et 1, pas « {number} »",
    "option-unknown": (
        "option inconnue %{option} : utilisez %closed, %extensible, %no-synonyms ou %strictness <nombre>"
    ),
    "bad-example": "exemple « {example} » : colonne {column} : {detail}",
    "bad-pattern": "exemple (patterns) « {example} » : colonne {column} : {detail}",
    # slot annotations [slot:entity](value)
    "annotation-stray-close": "« ] » sans « [ » correspondant",
    "annotation-unclosed": "« [ » n'est jamais fermé : écrivez [slot:entité](valeur)",
    "annotation-nested": "« [ » à l'intérieur d'une annotation de slot",
    "annotation-no-entity": "[{slot}] ne nomme pas d'entité : écrivez [{slot_hint}:entité](valeur)",
    "annotation-bad-slot-name": "« {slot} » n'est pas un nom de slot valable (un mot : lettres, chiffres, _ ou -)",
    "annotation-bad-entity-name": "« {entity} » n'est pas un nom d'entité valable",
    "annotation-no-value": "[{slot}:{entity}] doit être suivi de sa valeur d'exemple entre parenthèses (...)",
    "annotation-value-unclosed": "la parenthèse « ( » de la valeur du slot n'est jamais fermée",
    "annotation-value-brackets": "la valeur d'un slot ne peut contenir ni crochets ni parenthèses",
    "annotation-empty-value": "le slot « {slot} » a une valeur vide",
    # JSON syntax: what the parser expected, and a plain hint
    "json-expecting-value": "une valeur est attendue ici",
    "json-expecting-comma": "une virgule est attendue ici",
    "json-expecting-colon": "deux-points « : » attendus après le nom de la clé",
    "json-expecting-key": 'un nom de clé entre guillemets droits " est attendu ici',
    "json-extra-data": "du texte suit la fin du document",
    "json-unterminated-string": "un texte entre guillemets n'est jamais fermé",
    "json-control-character": "caractère invisible (tabulation, retour à la ligne) dans un texte",
    "json-other": "{json_error}",
    "hint-missing-comma": " ; il manque sans doute une virgule « , » à la fin de la ligne {hint_line}",
    "hint-trailing-comma": (
        " ; enlevez la virgule en trop à la fin de la ligne {hint_line} (pas de virgule avant « ] » ou « }} »)"
    ),
    "hint-curly-quotes": (
        ' ; remplacez les guillemets typographiques “ ” (ou ‘ ’) par des guillemets droits " '
        "(un traitement de texte les a sans doute changés)"
    ),
    "hint-missing-bracket": " ; il manque « {bracket} » pour fermer « {opening} » ouvert à la ligne {hint_line}",
    "no-hint": "",
    # schema of a file (pydantic error types, and our own validators)
    "missing": "champ obligatoire manquant",
    "unknown-key": "clé inconnue « {key} »",
    "unknown-key-suggestion": "clé inconnue « {key} » : vouliez-vous dire « {suggestion} » ?",
    "string_type": "doit être un texte entre guillemets",
    "string-type-yaml": (
        "doit être un texte (YAML lit yes, no, on, off et les nombres comme tels : mettez le texte entre guillemets)"
    ),
    "list_type": "doit être une liste [...]",
    "dict_type": "doit être un objet {{...}}",
    "model_type": "doit être un objet {{...}}",
    "model_attributes_type": "doit être un objet {{...}}",
    "bool_type": "doit valoir true ou false",
    "bool_parsing": "doit valoir true ou false",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "float_type": "doit être un nombre",
    "float_parsing": "doit être un nombre",
    "finite_number": "doit être un nombre fini (pas nan ni inf)",
    "tuple_type": "doit être une liste [...]",
    "too_long": "doit contenir au plus {max_length} élément(s)",
    "path_type": "doit être un chemin entre guillemets",
    "range-order": "le premier nombre doit être inférieur ou égal au second",
    "too_short": "doit contenir au moins {min_length} élément(s)",
    "string_too_short": "doit contenir au moins {min_length} caractère(s)",
    "string_too_long": "doit contenir au plus {max_length} caractère(s)",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "string_pattern_mismatch": "valeur non acceptée (forme attendue : {pattern})",
    "literal_error": "doit valoir {expected}",
    "invalid-value": "valeur invalide ({error})",
    "blank-string": "ne doit pas contenir de texte vide (ou sans caractère visible)",
    "blank-tag": "ne doit pas être vide (ou sans caractère visible)",
    "bad-opening-range": "plage horaire attendue sous la forme « 09:00-19:00 », l'ouverture avant la fermeture",
    "unknown-time-zone": "fuseau horaire inconnu « {name} » (par exemple « Europe/Paris »)",
    "required-slot-prompt": "un slot obligatoire (required) a besoin d'une question (prompt) qui le demande",
    "empty-file": "le fichier ne définit rien : donnez « intents » ou « entities »",
    "response-rule-one": "donnez exactement un seul de : un texte, one_of ou pattern",
    "bad-regex": "expression régulière invalide : {error}",
    "intent-and-fallback": "un tour attend une intention ou un repli (fallback), pas les deux",
    "span-mismatch": "le slot « {slot} » [{start}:{end}] ne correspond pas au texte",
    # messages in responses (causette_sdk.messages)
    "blank-text": "ne doit pas être un texte vide (ou sans caractère visible)",
    "response-type": 'une réponse est un texte entre guillemets ou un message {{"type": ...}}',
    "union_tag_invalid": "type de message inconnu « {tag} » : utilisez {expected_tags}",
    "union_tag_not_found": (
        'le message n\'a pas de « type » : donnez "type": "text", "buttons", "image", "card" ou "carousel"'
    ),
    "url-scheme": "le lien « {url} » n'est pas accepté : il doit commencer par {schemes} ou « / »",
    "url-spaces": "un lien ne doit contenir ni espace ni caractère invisible",
    "button-target": "un bouton a soit un « payload » (texte renvoyé), soit une « url » (lien), pas les deux ni aucun",
    "quick-replies-need-text": (
        "les quick_replies de l'intention s'affichent sous un texte : toutes ses réponses doivent être des "
        "textes (un bouton, une carte ou un carrousel a ses propres boutons)"
    ),
    # the bot folder and its configuration
    "not-a-folder": "ce n'est pas un dossier",
    "no-intent-file": "aucun fichier d'intentions (*.json ou intent_*.txt) dans le dossier du bot",
    "unknown-backend": "backend inconnu « {backend} » ; disponibles : {available}",
    "training-failed": "l'entraînement a échoué : {error}",
    # assembling the files of a bot
    "entity-defined-twice": "l'entité « {entity} » est déjà définie en {first}",
    "builtin-entity-name": "« {entity} » est le nom d'une entité prédéfinie : choisissez un autre nom",
    "tag-defined-twice": "le tag « {tag} » est déjà défini en {first}",
    "intent-no-responses": (
        'l\'intention « {tag} » n\'a pas de réponses : ajoutez {{"tag": "{tag}", "responses": [...]}} '
        "dans un fichier JSON du bot"
    ),
    "action-without-url": (
        "l'intention « {intent} » appelle l'action « {action} », mais bot.toml ne dit pas où : "
        'ajoutez [actions] url = "http://..." (ou [actions.urls] {action} = "http://...")'
    ),
    "intent-no-patterns": (
        "l'intention « {tag} » n'a pas d'exemples : donnez « patterns » ou écrivez intent_{tag}.txt"
    ),
    "slot-entity-conflict": (
        "le slot « {slot} » est annoté avec l'entité « {entity} » ici mais « {other} » en {first} : "
        "un slot d'une intention a une seule entité"
    ),
    "slot-declared-entity-conflict": (
        "le slot « {slot} » est déclaré avec l'entité « {declared} » mais les exemples l'annotent avec « {entity} »"
    ),
    "slot-without-entity": (
        "le slot « {slot} » de l'intention « {intent} » n'apparaît dans aucun exemple : donnez son « entity »"
    ),
    "slot-entity-problem": "slot « {slot} » : {detail}",
    "builtin-unavailable": (
        "l'entité prédéfinie « {entity} » n'est pas disponible (les entités gazetteer demandent un "
        "téléchargement) ; disponibles : {available}"
    ),
    "entity-undefined": (
        "l'entité « {entity} » n'est pas définie : écrivez entity_{entity}.txt ou une entrée « entities », "
        "ou utilisez une entité prédéfinie comme snips/datetime"
    ),
    "closed-entity-value": (
        "« {value} » n'est pas une valeur de l'entité fermée « {entity} » ({source}) : "
        "ajoutez-la, ou l'un de ses synonymes"
    ),
    # checks across intents (errors)
    "duplicate-pattern": "l'exemple « {pattern} » est aussi sous le tag {others}",
    "unreachable-intent": (
        "le context_filter « {context} » n'est posé par le context_set d'aucune intention : "
        "cette intention ne sera jamais choisie"
    ),
    "unknown-slot": (
        "{{{name}}} dans une réponse de l'intention « {intent} » n'est pas l'un de ses slots (slots : {slots})"
    ),
    "unknown-slot-none": (
        "{{{name}}} dans une réponse de l'intention « {intent} » n'est pas l'un de ses slots (elle n'en a aucun)"
    ),
    # lint (warnings)
    "near-duplicate": (
        "l'exemple « {text} » ({intent}) a les mêmes mots porteurs de sens que « {other} » "
        "({other_intent}, {place}) : reformulez l'un des deux ou déplacez-le dans l'autre intention"
    ),
    "few-examples": (
        "l'intention « {intent} » a {count} exemples ; il en faut une trentaine ({minimum}) "
        "pour une compréhension de qualité minimale"
    ),
    "unused-context": (
        "l'intention « {intent} » pose le contexte « {context} », mais aucune intention n'a "
        "context_filter « {context} »"
    ),
    "unused-entity": "l'entité « {entity} » n'est utilisée par le slot d'aucun exemple",
    "generic-pattern": (
        "l'exemple « {text} » ({intent}) est trop général : ses mots porteurs de sens ({words}) se trouvent "
        "dans {share} des demandes hors sujet de référence, que l'intention risque de capter ; précisez de quoi "
        "il s'agit (par exemple « adresse mail de la boutique » plutôt que « mail »)"
    ),
    "generic-pattern-empty": (
        "l'exemple « {text} » ({intent}) n'a aucun mot porteur de sens (que des articles, pronoms...) : "
        "l'intention risque de capter n'importe quel message ; précisez de quoi il s'agit"
    ),
    # conversation tests and labelled data
    "test-unknown-intent": "le bot n'a pas d'intention « {intent} »",
    "test-unknown-context": "aucune intention ne pose le contexte « {context} »",
    "test-unknown-action": "aucune intention n'appelle l'action « {action} »",
    "no-labelled-example": "aucun exemple étiqueté",
    "no-out-of-scope-example": "aucun message hors sujet (un par ligne)",
    # the check command's summary
    "check-errors": "{folder} : {count} erreur(s), rien ne peut être entraîné",
    "check-ok": "{folder} : OK, {intents} intentions, {patterns} exemples, {warnings} avertissement(s)",
    "check-strict-refused": (
        "{folder} : {warnings} avertissement(s), refusé avec --strict ({intents} intentions, {patterns} exemples)"
    ),
    "warning-label": "avertissement : ",
}

ENGLISH: dict[str, str] = {
    "not-utf8": "not UTF-8 text ({reason})",
    "too-deep": "more than {limit} levels of nested [ ] or {{ }}: a bot's file needs only a few",
    "invalid-json": "invalid JSON: {reason}{hint}\n{excerpt}",
    "invalid-toml": "invalid TOML: {error}",
    "invalid-yaml": "invalid YAML: {error}",
    "yaml-duplicate-key": "invalid YAML: key {key!r} appears twice in this mapping",
    "text-file-role": "a text file must be an intent (intent_<name>.txt) or an entity (entity_<name>.txt)",
    "intent-without-example": "intent {intent!r} has no example",
    "entity-without-value": "entity {entity!r} has no value",
    "option-strictness": "%strictness needs a number in ]0, 1], not {number!r}",
    "option-unknown": "unknown option %{option}: use %closed, %extensible, %no-synonyms or %strictness <number>",
    "bad-example": "example {example!r}: column {column}: {detail}",
    "bad-pattern": "pattern {example!r}: column {column}: {detail}",
    "annotation-stray-close": "']' without a matching '['",
    "annotation-unclosed": "'[' is never closed: write [slot:entity](value)",
    "annotation-nested": "'[' inside a slot annotation",
    "annotation-no-entity": "[{slot}] names no entity: write [{slot_hint}:entity](value)",
    "annotation-bad-slot-name": "{slot!r} is not a valid slot name (a word: letters, digits, _ or -)",
    "annotation-bad-entity-name": "{entity!r} is not a valid entity name",
    "annotation-no-value": "[{slot}:{entity}] must be followed by its example value in (...)",
    "annotation-value-unclosed": "'(' of the slot value is never closed",
    "annotation-value-brackets": "a slot value cannot contain brackets or parentheses",
    "annotation-empty-value": "slot {slot!r} has an empty value",
    "json-expecting-value": "expecting a value",
    "json-expecting-comma": "expecting ',' delimiter",
    "json-expecting-colon": "expecting ':' delimiter",
    "json-expecting-key": "expecting a property name enclosed in straight double quotes",
    "json-extra-data": "extra data after the end of the document",
    "json-unterminated-string": "unterminated string",
    "json-control-character": "invalid control character (tab, newline) in a string",
    "json-other": "{json_error}",
    "hint-missing-comma": "; a comma ',' is probably missing at the end of line {hint_line}",
    "hint-trailing-comma": "; remove the extra comma at the end of line {hint_line} (no comma before ']' or '}}')",
    "hint-curly-quotes": '; replace curly quotes “ ” (or ‘ ’) by straight quotes " (a word processor changed them)',
    "hint-missing-bracket": "; {bracket!r} is missing to close {opening!r} opened on line {hint_line}",
    "no-hint": "",
    "missing": "Field required",
    "unknown-key": "unknown key {key!r}",
    "unknown-key-suggestion": "unknown key {key!r}: did you mean {suggestion!r}?",
    "string_type": "Input should be a valid string",
    "string-type-yaml": (
        "Input should be a valid string (YAML reads yes, no, on, off and numbers as such: put the text in quotes)"
    ),
    "list_type": "Input should be a valid list",
    "dict_type": "Input should be a valid dictionary",
    "model_type": "Input should be a valid dictionary",
    "model_attributes_type": "Input should be a valid dictionary",
    "bool_type": "Input should be a valid boolean",
    "bool_parsing": "Input should be a valid boolean",
    "int_type": "Input should be a valid integer",
    "int_parsing": "Input should be a valid integer",
    "int_from_float": "Input should be a valid integer",
    "float_type": "Input should be a valid number",
    "float_parsing": "Input should be a valid number",
    "finite_number": "Input should be a finite number",
    "tuple_type": "Input should be a valid list",
    "too_long": "List should have at most {max_length} item(s)",
    "path_type": "Input should be a path in quotes",
    "range-order": "the first number must not exceed the second",
    "too_short": "List should have at least {min_length} item(s)",
    "string_too_short": "String should have at least {min_length} character(s)",
    "string_too_long": "String should have at most {max_length} character(s)",
    "greater_than": "Input should be greater than {gt}",
    "greater_than_equal": "Input should be greater than or equal to {ge}",
    "less_than": "Input should be less than {lt}",
    "less_than_equal": "Input should be less than or equal to {le}",
    "string_pattern_mismatch": "String should match pattern {pattern!r}",
    "literal_error": "Input should be {expected}",
    "invalid-value": "{error}",
    "blank-string": "must not contain empty strings (or strings with no visible character)",
    "blank-tag": "must not be blank (or without a visible character)",
    "bad-opening-range": "expected an opening range such as '09:00-19:00', opening before closing",
    "unknown-time-zone": "unknown time zone {name!r} (e.g. 'Europe/Paris')",
    "required-slot-prompt": "a required slot needs a prompt (the question that asks for it)",
    "empty-file": 'the file defines nothing: give "intents" or "entities"',
    "response-rule-one": "give exactly one of a text, one_of or pattern",
    "bad-regex": "not a valid regular expression: {error}",
    "intent-and-fallback": "a turn expects an intent or a fallback, not both",
    "span-mismatch": "slot {slot!r} [{start}:{end}] does not match the text",
    "blank-text": "must not be blank",
    "response-type": 'a response is a text or a message object {{"type": ...}}',
    "union_tag_invalid": "unknown message type {tag!r}: use {expected_tags}",
    "union_tag_not_found": 'the message has no "type": give "text", "buttons", "image", "card" or "carousel"',
    "url-scheme": "link {url!r} is refused: it must start with {schemes} or '/'",
    "url-spaces": "a link must not contain spaces or control characters",
    "button-target": 'a button has either a "payload" (text sent back) or a "url" (link), not both nor none',
    "quick-replies-need-text": (
        "the intent's quick_replies are shown under a text: all its responses must be texts "
        "(buttons, a card or a carousel have buttons of their own)"
    ),
    "not-a-folder": "not a folder",
    "no-intent-file": "no intent file (*.json or intent_*.txt) in the bot folder",
    "unknown-backend": "unknown backend {backend!r}; available: {available}",
    "training-failed": "training failed: {error}",
    "entity-defined-twice": "entity {entity!r} is already defined at {first}",
    "builtin-entity-name": "{entity!r} is a builtin entity name: choose another name",
    "tag-defined-twice": "tag {tag!r} is already defined at {first}",
    "intent-no-responses": (
        'intent {tag!r} has no responses: add {{"tag": "{tag}", "responses": [...]}} to a JSON file of the bot'
    ),
    "action-without-url": (
        "intent {intent!r} calls action {action!r}, but bot.toml does not say where: "
        'add [actions] url = "http://..." (or [actions.urls] {action} = "http://...")'
    ),
    "intent-no-patterns": 'intent {tag!r} has no patterns: give "patterns" or write intent_{tag}.txt',
    "slot-entity-conflict": (
        "slot {slot!r} is annotated with entity {entity!r} here but {other!r} at {first}: "
        "a slot of an intent has one entity"
    ),
    "slot-declared-entity-conflict": (
        "slot {slot!r} is declared with entity {declared!r} but the examples annotate it with {entity!r}"
    ),
    "slot-without-entity": 'slot {slot!r} of intent {intent!r} is in no example: give its "entity"',
    "slot-entity-problem": "slot {slot!r}: {detail}",
    "builtin-unavailable": (
        "builtin entity {entity!r} is not available (gazetteer entities need a download); available: {available}"
    ),
    "entity-undefined": (
        'entity {entity!r} is not defined: write entity_{entity}.txt or an "entities" entry, '
        "or use a builtin entity such as snips/datetime"
    ),
    "closed-entity-value": (
        "{value!r} is not a value of the closed entity {entity!r} ({source}): add it or one of its synonyms"
    ),
    "duplicate-pattern": "pattern {pattern!r} is also under tag {others}",
    "unreachable-intent": "context_filter {context!r} is never set by any intent's context_set",
    "unknown-slot": "{{{name}}} in a response of intent {intent!r} is not one of its slots (slots: {slots})",
    "unknown-slot-none": "{{{name}}} in a response of intent {intent!r} is not one of its slots (slots: none)",
    "near-duplicate": (
        "pattern {text!r} ({intent}) has the same content words as {other!r} ({other_intent}, {place}): "
        "reword one of them or move it to the other intent"
    ),
    "few-examples": (
        "intent {intent!r} has {count} examples; about {minimum} are needed for a minimal quality of understanding"
    ),
    "unused-context": "intent {intent!r} sets context {context!r}, but no intent has context_filter {context!r}",
    "unused-entity": "entity {entity!r} is not used by any pattern's slot",
    "generic-pattern": (
        "pattern {text!r} ({intent}) is too generic: its content words ({words}) are in {share} of the reference "
        "off-topic requests, which the intent may capture; say what it is about (e.g. 'the shop's e-mail "
        "address' rather than 'e-mail')"
    ),
    "generic-pattern-empty": (
        "pattern {text!r} ({intent}) has no content word (only articles, pronouns...): the intent may capture "
        "any message; say what it is about"
    ),
    "test-unknown-intent": "no intent {intent!r} in the bot",
    "test-unknown-context": "no intent sets context {context!r}",
    "test-unknown-action": "no intent calls action {action!r}",
    "no-labelled-example": "no labelled example",
    "no-out-of-scope-example": "no out-of-scope message (one per line)",
    "check-errors": "{folder}: {count} error(s), nothing can be trained",
    "check-ok": "{folder}: OK, {intents} intents, {patterns} patterns, {warnings} warning(s)",
    "check-strict-refused": (
        "{folder}: {warnings} warning(s), refused by --strict ({intents} intents, {patterns} patterns)"
    ),
    "warning-label": "warning: ",
}

CATALOGUES: dict[Language, dict[str, str]] = {"fr": FRENCH, "en": ENGLISH}


def render(code: str, params: Mapping[str, ParamValue], lang: Language = DEFAULT_LANGUAGE) -> str:
    """The text of message ``code`` in ``lang``; an unknown code is shown as it is, with its parameters."""
    catalogue = CATALOGUES[lang]
    values: dict[str, ParamValue] = dict(params)
    for key, value in params.items():
        if key.endswith("_code"):
            values[key.removesuffix("_code")] = render(str(value), _without(params, key), lang)
    template = catalogue.get(code)
    text = template.format_map(_Lenient(values)) if template is not None else f"{code} {dict(params)}"
    where = params.get("where")
    return f"{where}: {text}" if where else text


def resolve_language(explicit: str | None, environ: Mapping[str, str]) -> Language:
    """``--lang`` when given, else English when ``LANGUAGE``/``LC_ALL``/``LC_MESSAGES``/``LANG`` say so, else French."""
    chosen = explicit or next(
        (environ[name] for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), ""
    )
    return "en" if chosen.lower().startswith("en") else DEFAULT_LANGUAGE


class _Lenient(dict[str, ParamValue]):
    """Parameters where a missing one shows as ``{name}``: a message is never lost to a typo."""

    def __missing__(self, key: str) -> str:
        return f"{{{key}}}"


def _without(params: Mapping[str, ParamValue], key: str) -> dict[str, ParamValue]:
    """The parameters for a nested message: not its own code (no loop), not the outer ``where``."""
    return {name: value for name, value in params.items() if name not in (key, "where")}
