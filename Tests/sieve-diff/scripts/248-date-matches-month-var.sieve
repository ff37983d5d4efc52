require ["fileinto", "date"];
if date :zone "+0900" :matches "date" "month" "*" {
    fileinto "yes";
} else {
    fileinto "no";
}
