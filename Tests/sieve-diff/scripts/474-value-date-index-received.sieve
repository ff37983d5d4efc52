require ["fileinto", "variables", "date", "index"];
if date :index 2 :zone "+0000" :matches "received" "time" "*" {
    fileinto "v-${0}";
}
