# Sourced by scripts/run.sh: the catalog a start serves and the Rasa model it runs.
#
# prepare_model: sets $model and $served_region. Expects $APP (the app env's python) and WYC_DATABASE_URL (the catalog).
#   - A database holding a county's own catalog, imported with `python -m catalog.cli import-…`
#     (`catalog.cli loaded` prints "imported CODE"), is left as it is: nothing is loaded over it, and
#     its vocabulary and model are built apart (scripts/region-model.sh CODE: var/region_CODE/,
#     models/wyc-CODE-<hash>.tar.gz).
#   - Otherwise the shipped region WYC_REGION (default 511602 广安区) is loaded (a no-op when it is;
#     reloaded when catalog/data changed): 广安区 then uses the committed vocabulary
#     (nlu_data/generated, assistant/generated) and scripts/train.sh; another shipped region
#     scripts/region-model.sh.
# Both scripts reuse a model whose inputs are unchanged. RUN_TRAIN / RUN_REGION_MODEL replace them
# (tests/scripts/test_run_model.py checks the choice without training).
prepare_model() {
  local train=${RUN_TRAIN:-scripts/train.sh} region_model=${RUN_REGION_MODEL:-scripts/region-model.sh}
  local region=${WYC_REGION:-511602} loaded
  loaded=$("$APP" -m catalog.cli loaded)
  case "$loaded" in
    "imported "*)
      region=${loaded#imported }
      served_region=$region
      echo "== catalog: the imported county ${region}, left as it is (python -m catalog.cli loaded)"
      echo "== NLU vocabulary and Rasa model of region ${region}"
      model=$("$region_model" "$region")
      ;;
    *)
      served_region=$region
      echo "== catalog of region ${region} (loaded once; reloaded when catalog/data changes)"
      "$APP" -m catalog.cli load-default
      if [ "$region" = 511602 ]; then
        echo "== NLU vocabulary from the catalog"
        "$APP" -m catalog.export_vocab
        echo "== Rasa model"
        model=$("$train")
      else
        # Another region's vocabulary, config and model live apart (var/region_<code>/,
        # models/wyc-<code>-*): the committed generated files of the default region stay as they are.
        echo "== NLU vocabulary and Rasa model of region ${region}"
        model=$("$region_model" "$region")
      fi
      ;;
  esac
}
